/**
 * Errors of the simulator. Every one is an input problem the user fixes (a setting, a pool folder, a trace file):
 * the CLI prints the message and exits 2; nothing here is transient. A PolicyError is a bug in a policy module.
 */

/** A setting or argument of `spot-on simulate` is missing or invalid; the message names it. */
export class SimulateInputError extends Error {
  override readonly name = 'SimulateInputError';
  /** The option at fault, e.g. `--pool` or `--policy`. */
  readonly option: string;
  constructor(option: string, problem: string, options?: { cause?: unknown }) {
    super(`${option}: ${problem}`, options);
    this.option = option;
  }
}

/** A trace file cannot be read, is in no known format, or fails its format's schema. */
export class TraceFormatError extends Error {
  override readonly name = 'TraceFormatError';
  /** The file at fault. */
  readonly file: string;
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`${file}: ${problem}`, options);
    this.file = file;
  }
}

/** The pools given share no window, or a shared window is too short for the deadline. */
export class TraceWindowError extends Error {
  override readonly name = 'TraceWindowError';
  /** The window (file name) at fault, when one is. */
  readonly window: string | undefined;
  constructor(problem: string, window?: string) {
    super(window === undefined ? problem : `window ${window}: ${problem}`);
    this.window = window;
  }
}

/** A policy asked for something the simulation cannot do (Spot capacity that is not there): a bug in the policy. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  /** The policy at fault. */
  readonly policy: string;
  constructor(policy: string, problem: string) {
    super(`policy ${policy}: ${problem}`);
    this.policy = policy;
  }
}
