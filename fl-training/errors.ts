/**
 * Errors of the FL workload. Each is sorted by what the caller should do: ConfigError and
 * ShardResidencyError fail fast at start; the store errors say a precondition did not hold (not transient);
 * CheckpointCorruptError makes the reader fall back a round.
 */

/** A setting is missing or invalid (one class for every deployable: protocol/config-error.ts). */
export { ConfigError } from '../protocol/config-error';

/** A trainer was asked to process a shard its cloud may not process (data residency). */
export class ShardResidencyError extends Error {
  override readonly name = 'ShardResidencyError';
}

/** A create-only write found the object already there (If-None-Match: * answered 409). */
export class ObjectExistsError extends Error {
  override readonly name = 'ObjectExistsError';
  constructor(readonly path: string, options?: { cause?: unknown }) {
    super(`${path} already exists`, options);
  }
}

/** A conditional replace found another version than the one it read (If-Match answered 412). */
export class PreconditionFailedError extends Error {
  override readonly name = 'PreconditionFailedError';
  constructor(readonly path: string, options?: { cause?: unknown }) {
    super(`${path} changed since it was read (ETag mismatch)`, options);
  }
}

/** A checkpoint is missing a part or a digest does not match. */
export class CheckpointCorruptError extends Error {
  override readonly name = 'CheckpointCorruptError';
  constructor(readonly round: number, message: string, options?: { cause?: unknown }) {
    super(`checkpoint round ${round}: ${message}`, options);
  }
}

/** Neither the LATEST checkpoint nor the round before it could be read. */
export class CheckpointUnrecoverableError extends Error {
  override readonly name = 'CheckpointUnrecoverableError';
}

/** Another writer committed a different checkpoint for the same round: this aggregator must stop. */
export class CheckpointConflictError extends Error {
  override readonly name = 'CheckpointConflictError';
  constructor(readonly round: number, message: string, options?: { cause?: unknown }) {
    super(`checkpoint round ${round}: ${message}`, options);
  }
}

/** Aggregation inputs are inconsistent (no results, zero examples, mismatched shapes). */
export class AggregationError extends Error {
  override readonly name = 'AggregationError';
}

/** A binary frame or weight payload could not be decoded. */
export class WireFormatError extends Error {
  override readonly name = 'WireFormatError';
}

/** A process's part of the training data is not in its data store: it was never staged there (or was removed). */
export class DataNotStagedError extends Error {
  override readonly name = 'DataNotStagedError';
  constructor(readonly location: string, options?: { cause?: unknown }) {
    super(`${location} does not exist: stage the run's data first (spot-on data stage)`, options);
  }
}

/** A staged data object is torn, altered, or was staged for another run configuration. */
export class DataCorruptError extends Error {
  override readonly name = 'DataCorruptError';
  constructor(readonly location: string, message: string, options?: { cause?: unknown }) {
    super(`${location}: ${message}`, options);
  }
}

/** An error's message, for a log line (anything thrown that is not an Error is shown as it is). */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
