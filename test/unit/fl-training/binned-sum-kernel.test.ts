/** The reproducible sum's WebAssembly kernel: built from its source, laid out over banks, and bit-exact to the scalar arithmetic. */
import fc from 'fast-check';
import { assembleKernel } from '../../../fl-training/scripts/assemble-kernel';
import { BINNED_SUM_WASM_BASE64 } from '../../../fl-training/strategy/kernel/binned-sum.wasm';
import { addToPiece, carry, layOut, quotientOf, type Term } from '../../../fl-training/strategy/kernel/binned-sum';

/** The arithmetic reproducible-sum.ts documents, one element at a time in plain float64 JavaScript. */
function scalarSum(lengths: readonly number[], terms: readonly Term[], c1: number, c2: number, divisor: number): Float32Array[] {
  return lengths.map((n, tensor) => {
    const out = new Float32Array(n);
    for (let j = 0; j < n; j++) {
      let s1 = 0;
      let s2 = 0;
      for (const { values, weight } of terms) {
        const t = values[tensor]![j]! * weight;
        const q = t + c1 - c1;
        s1 += q;
        s2 += t - q + c2 - c2;
      }
      const k = s2 + c1 - c1;
      out[j] = (s1 + k + (s2 - k)) * (1 / divisor);
    }
    return out;
  });
}

function kernelSum(lengths: readonly number[], terms: readonly Term[], c1: number, c2: number, divisor: number, bankElements: number): Float32Array[] {
  const pieces = layOut(lengths, bankElements);
  const out = lengths.map((n) => new Float32Array(n));
  for (const piece of pieces) {
    addToPiece(piece, terms, true, c1, c2);
    carry(piece, c1);
    quotientOf(piece, 1 / divisor, out);
  }
  return out;
}

describe('binned-sum kernel', () => {
  it('is the assembly of binned-sum.wat (run `npm run build:kernel` after editing the source)', async () => {
    expect(Buffer.from(await assembleKernel()).toString('base64')).toBe(BINNED_SUM_WASM_BASE64);
  });

  it('lays every tensor out once over banks that never exceed their size, each piece at its own offset', () => {
    const pieces = layOut([5, 9, 0, 3], 6);
    expect(pieces.map(({ tensor, start, end, s1, s2 }) => ({ tensor, start, end, s1, s2 }))).toStrictEqual([
      { tensor: 0, start: 0, end: 5, s1: 0, s2: 48 }, // bank 0 holds 6 elements: 5 + 1 padding
      { tensor: 1, start: 0, end: 6, s1: 0, s2: 48 }, // bank 1
      { tensor: 1, start: 6, end: 9, s1: 0, s2: 48 }, // bank 2: 3 + 1 padding, then what is left of its room
      { tensor: 3, start: 0, end: 2, s1: 32, s2: 80 },
      { tensor: 3, start: 2, end: 3, s1: 0, s2: 16 }, // bank 3, sized to what it holds: 1 + 1 padding
    ]);
    expect(new Set(pieces.map((p) => p.bank)).size).toBe(4);
  });

  it('gives the bits of the scalar arithmetic on a tensor of several blocks, with a short last group of terms', () => {
    const n = 2 * 16_384 + 3;
    const terms = Array.from({ length: 6 }, (_, k) => ({ values: [Float32Array.from({ length: n }, (_, j) => Math.sin(j * 0.37 + k) * 10 ** ((j % 9) - 4))], weight: 1000 + 17 * k }));
    const [c1, c2] = [1.5 * 2 ** 28, 1.5 * 2 ** -12]; // the grids for a bound of 6 x 1085 x 1e4
    expect(kernelSum([n], terms, c1, c2, 6100, 2 ** 20)).toStrictEqual(scalarSum([n], terms, c1, c2, 6100));
  });

  it('gives the bits of the scalar arithmetic, on odd lengths, across banks', () => {
    const tensorLengths = fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(
        tensorLengths.chain((lengths) =>
          fc.tuple(
            fc.constant(lengths),
            fc.array(
              fc.record({
                values: fc.tuple(...lengths.map((n) => fc.float32Array({ noNaN: true, noDefaultInfinity: true, min: -1e3, max: 1e3, minLength: n, maxLength: n }))),
                weight: fc.integer({ min: 1, max: 10_000 }),
              }),
              { minLength: 1, maxLength: 9 },
            ),
            fc.integer({ min: 2, max: 20 }).map((half) => half * 2),
          ),
        ),
        ([lengths, terms, bankElements]) => {
          const e = Math.ceil(Math.log2(9 * 10_000 * 1e3)) + 2;
          const [c1, c2] = [1.5 * 2 ** e, 1.5 * 2 ** (e - 40)];
          const divisor = terms.reduce((sum, t) => sum + t.weight, 0);
          expect(kernelSum(lengths, terms, c1, c2, divisor, bankElements)).toStrictEqual(scalarSum(lengths, terms, c1, c2, divisor));
        },
      ),
      { numRuns: 200 },
    );
  });
});
