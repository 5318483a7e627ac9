import { Gate } from '../../../fl-training/gate';

/** A piece of work that ends when told to. */
function deferred() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { done, finish };
}

describe('Gate', () => {
  it('runs at most `limit` pieces of work at once, the others in arrival order as places free up', async () => {
    const gate = new Gate(2);
    const started: number[] = [];
    const works = [0, 1, 2, 3].map(() => deferred());
    const runs = works.map((work, i) =>
      gate.run(async () => {
        started.push(i);
        await work.done;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toStrictEqual([0, 1]);
    expect(gate.queued).toBe(2);
    works[1]!.finish();
    await runs[1];
    await Promise.resolve();
    expect(started).toStrictEqual([0, 1, 2]);
    works[0]!.finish();
    works[2]!.finish();
    works[3]!.finish();
    expect(await Promise.all(runs)).toStrictEqual([0, 1, 2, 3]);
    expect(started).toStrictEqual([0, 1, 2, 3]);
    expect(gate.queued).toBe(0);
  });

  it('frees the place of work that fails', async () => {
    const gate = new Gate(1);
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(() => Promise.resolve('next'))).toBe('next');
    expect(() => new Gate(0)).toThrow(RangeError);
  });
});
