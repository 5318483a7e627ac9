/**
 * The drill runs production settings on a compressed clock: every duration a deployment sets (queue visibility,
 * brain policy, flush budgets, polling periods) is divided by one factor, printed in the report. What cannot be
 * compressed exactly (integer-second settings, compute budgets that real code on a loaded machine needs) is
 * recorded as a difference from production, with its reason, so that the report says what was not production.
 */

/** One real minute is one drill second. */
export const TIME_COMPRESSION_FACTOR = 60;

/** A setting the drill runs with a value other than production's compressed one. */
export interface ProductionDifference {
  readonly setting: string;
  readonly production: string;
  readonly drill: string;
  readonly reason: string;
}

/** How the drill's clock relates to production's (reported as `timeCompression`). */
export interface TimeCompression {
  readonly factor: number;
  readonly meaning: string;
}

export class Compression {
  readonly differences: ProductionDifference[] = [];

  constructor(readonly factor: number = TIME_COMPRESSION_FACTOR) {}

  /** A compression read back from its JSON form (what a child drill process is handed). */
  static from(saved: { readonly factor: number; readonly differences: readonly ProductionDifference[] }): Compression {
    const compression = new Compression(saved.factor);
    compression.differences.push(...saved.differences);
    return compression;
  }

  get report(): TimeCompression {
    return { factor: this.factor, meaning: `1 real minute = ${60 / this.factor} drill second(s); every production duration is divided by ${this.factor}` };
  }

  /** A duration setting in whole seconds, compressed and rounded up to the setting's granularity (at least `min`). */
  seconds(setting: string, productionSeconds: number, min = 1): number {
    const exact = productionSeconds / this.factor;
    const drill = Math.max(min, Math.ceil(exact - 1e-9));
    if (drill !== exact) this.differ(setting, `${productionSeconds} s`, `${drill} s`, `whole seconds only: ${productionSeconds} s compresses to ${round(exact)} s`);
    return drill;
  }

  /** A duration setting in milliseconds, compressed; `floorMs` keeps a budget that real work needs. */
  ms(setting: string, productionMs: number, floorMs = 0): number {
    const exact = Math.round(productionMs / this.factor);
    if (exact >= floorMs) return exact;
    this.differ(setting, `${productionMs} ms`, `${floorMs} ms`, `a compute or network budget: ${exact} ms is too short for real work on a loaded machine`);
    return floorMs;
  }

  /** A setting kept at its production value: real work at real speed. */
  keep(setting: string, production: string, reason: string): string {
    this.differ(setting, production, `${production} (not compressed)`, reason);
    return production;
  }

  /** Records any other difference. */
  differ(setting: string, production: string, drill: string, reason: string): void {
    this.differences.push({ setting, production, drill, reason });
  }
}

const round = (value: number) => Math.round(value * 1000) / 1000;
