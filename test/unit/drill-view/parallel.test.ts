/** The drill's process pool: at most N scenarios at a time, results in scenario order. */
import { inPool } from '../../../local/drill/parallel';

describe('inPool', () => {
  it('runs at most `concurrency` tasks at once and returns results in task order', async () => {
    let running = 0;
    let most = 0;
    const finishOrder: number[] = [];
    const release = new Map<number, () => void>();
    const pending = inPool([0, 1, 2, 3, 4], 2, async (task) => {
      running++;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => release.set(task, resolve));
      running--;
      finishOrder.push(task);
      return task * 10;
    });
    // Finish in the order 1, 0, 3, 2, 4, whatever is running when its turn comes.
    for (const task of [1, 0, 3, 2, 4]) {
      while (!release.has(task)) await new Promise(setImmediate);
      release.get(task)?.();
      await new Promise(setImmediate);
    }
    expect(await pending).toStrictEqual([0, 10, 20, 30, 40]);
    expect(most).toBe(2);
    expect(finishOrder).toStrictEqual([1, 0, 3, 2, 4]);
  });
});
