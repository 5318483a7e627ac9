/**
 * The reproducible sum's storage and inner loops: its two float64 accumulators live in WebAssembly memory, where the
 * SIMD kernel (binned-sum.wat) adds float32 terms to them two lanes at a time.
 *
 * The accumulators of every tensor are laid out in "banks", one WebAssembly memory each, of at most BANK_ELEMENTS
 * elements (2 GiB of accumulators): a 32-bit memory holds at most 4 GiB, so a model past that spreads over several
 * banks, and a tensor may be cut into pieces across two. Each bank also has a scratch area the inputs are copied into
 * a block at a time (a kernel reads only its own memory); the copy costs a small share of the arithmetic.
 */
import { BINNED_SUM_WASM_BASE64 } from './binned-sum.wasm';

interface KernelExports {
  add1(s1: number, s2: number, x: number, n: number, w: number, c1: number, c2: number): void;
  add4(s1: number, s2: number, a: number, b: number, c: number, d: number, n: number, wa: number, wb: number, wc: number, wd: number, c1: number, c2: number): void;
  carry(s1: number, s2: number, n: number, c1: number): void;
  quotient(s1: number, s2: number, out: number, n: number, scale: number): void;
}

/** Elements per block: both accumulators of a block (2 x 128 KiB) stay in cache while every term of a batch is added. */
const BLOCK = 16_384;
/** Elements a bank's accumulators hold at most (2 x 8 bytes each: 2 GiB), well inside a 32-bit memory. */
const BANK_ELEMENTS = 2 ** 27;
/** Terms one kernel call adds (add4). */
const LANES_OF_TERMS = 4;

const PAGE = 65_536;
const F32 = 4;
const F64 = 8;

/**
 * The part of the WebAssembly JavaScript API used here. Node has it as a global, but neither the ES library nor
 * @types/node declares it (lib.dom does, with the whole browser), so it is typed here.
 */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: { env: { memory: object } }) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum: number }) => { buffer: ArrayBuffer };
}
const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

let compiled: object | undefined;
/** The kernel's module, compiled once per process (820 bytes: synchronous compilation is allowed and immediate). */
function kernelModule(): object {
  compiled ??= new wasm.Module(Buffer.from(BINNED_SUM_WASM_BASE64, 'base64'));
  return compiled;
}

/** One WebAssembly memory: accumulators of `elements` elements, then LANES_OF_TERMS input slots and an output slot. */
class Bank {
  readonly kernel: KernelExports;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
  /** Byte offsets of the scratch slots, each BLOCK float32 (+ 1 of padding for an odd block). */
  readonly inputs: readonly number[];
  readonly output: number;

  constructor(readonly elements: number) {
    const slot = (BLOCK + 2) * F32;
    const scratch = elements * 2 * F64;
    const bytes = scratch + (LANES_OF_TERMS + 1) * slot;
    const pages = Math.ceil(bytes / PAGE);
    const memory = new wasm.Memory({ initial: pages, maximum: pages });
    this.kernel = new wasm.Instance(kernelModule(), { env: { memory } }).exports as unknown as KernelExports;
    this.f32 = new Float32Array(memory.buffer);
    this.f64 = new Float64Array(memory.buffer);
    this.inputs = Array.from({ length: LANES_OF_TERMS }, (_, k) => scratch + k * slot);
    this.output = scratch + LANES_OF_TERMS * slot;
  }
}

/** Elements [start, end) of one tensor, with their accumulators at byte offsets s1 and s2 of a bank. */
export interface Piece {
  readonly tensor: number;
  readonly start: number;
  readonly end: number;
  readonly bank: Bank;
  readonly s1: number;
  readonly s2: number;
}

/**
 * Lays tensors of the given lengths out over banks of at most `bankElements` accumulator elements. Every piece's
 * length is padded to even (the kernel's two lanes).
 */
export function layOut(lengths: readonly number[], bankElements = BANK_ELEMENTS): Piece[] {
  const planned: { tensor: number; start: number; end: number; bank: number; at: number }[] = [];
  const bankSizes = [0];
  lengths.forEach((length, tensor) => {
    for (let start = 0; start < length; ) {
      let room = bankElements - bankSizes[bankSizes.length - 1]!;
      if (room < 2) {
        bankSizes.push(0);
        room = bankElements;
      }
      const end = Math.min(length, start + room - (room % 2));
      const bank = bankSizes.length - 1;
      planned.push({ tensor, start, end, bank, at: bankSizes[bank]! });
      bankSizes[bank]! += (end - start) + ((end - start) % 2);
      start = end;
    }
  });
  const banks = bankSizes.map((elements) => new Bank(elements));
  return planned.map(({ tensor, start, end, bank, at }) => ({ tensor, start, end, bank: banks[bank]!, s1: at * F64, s2: (banks[bank]!.elements + at) * F64 }));
}

/** One term: float32 tensors and the float64 weight they are multiplied by. */
export interface Term {
  readonly values: readonly Float32Array[];
  readonly weight: number;
}

/**
 * Adds every term to one piece's accumulators (overwriting them when `overwrite`), block by block: each block of the
 * accumulators is read and written once per four terms. With `quotient`, each block's float32((s1 + s2) x scale)
 * is also written to `quotient.out` while the block is still in cache (quotientOf without a second pass).
 */
export function addToPiece(piece: Piece, terms: readonly Term[], overwrite: boolean, c1: number, c2: number, quotient?: { scale: number; out: readonly Float32Array[] }): void {
  const { bank } = piece;
  const { kernel, inputs } = bank;
  // This piece's tensor of each term, in groups of four (one add4 call each), built once for all its blocks.
  const groups: { values: Float32Array; weight: number }[][] = [];
  for (let k = 0; k < terms.length; k += LANES_OF_TERMS) groups.push(terms.slice(k, k + LANES_OF_TERMS).map((term) => ({ values: term.values[piece.tensor]!, weight: term.weight })));
  for (let from = piece.start; from < piece.end; from += BLOCK) {
    const to = Math.min(piece.end, from + BLOCK);
    const n = to - from;
    const s1 = piece.s1 + (from - piece.start) * F64;
    const s2 = piece.s2 + (from - piece.start) * F64;
    if (overwrite) {
      bank.f64.fill(0, s1 / F64, s1 / F64 + n + (n % 2));
      bank.f64.fill(0, s2 / F64, s2 / F64 + n + (n % 2));
    }
    for (const group of groups) {
      group.forEach((term, lane) => bank.f32.set(term.values.subarray(from, to), inputs[lane]! / F32));
      if (group.length === LANES_OF_TERMS) {
        kernel.add4(s1, s2, inputs[0]!, inputs[1]!, inputs[2]!, inputs[3]!, n, group[0]!.weight, group[1]!.weight, group[2]!.weight, group[3]!.weight, c1, c2);
      } else {
        group.forEach((term, lane) => kernel.add1(s1, s2, inputs[lane]!, n, term.weight, c1, c2));
      }
    }
    if (quotient) quotientOfBlock(piece, from, to, quotient.scale, quotient.out);
  }
}

/** Moves each accumulator's multiples of the coarse grid from s2 to s1 (exact; the sum is unchanged). */
export function carry(piece: Piece, c1: number): void {
  const n = piece.end - piece.start;
  piece.bank.kernel.carry(piece.s1, piece.s2, n + (n % 2), c1);
}

function quotientOfBlock(piece: Piece, from: number, to: number, scale: number, out: readonly Float32Array[]): void {
  const { bank } = piece;
  const offset = (from - piece.start) * F64;
  bank.kernel.quotient(piece.s1 + offset, piece.s2 + offset, bank.output, to - from, scale);
  out[piece.tensor]!.set(bank.f32.subarray(bank.output / F32, bank.output / F32 + (to - from)), from);
}

/** Writes float32((s1 + s2) x scale) of a piece into its tensor of `out`. */
export function quotientOf(piece: Piece, scale: number, out: readonly Float32Array[]): void {
  for (let from = piece.start; from < piece.end; from += BLOCK) quotientOfBlock(piece, from, Math.min(piece.end, from + BLOCK), scale, out);
}
