/**
 * Randomness for the local AWS. Ids (event ids, request ids) and injected faults (the bus's duplicate deliveries
 * and their delays) come from a Random, so a seeded run injects the same faults every time; without a seed,
 * node:crypto supplies it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
// The training's generator: small, fast and good enough for fault injection (not for secrets).
import { mulberry32 } from '../../fl-training/task/random';

/** A source of random numbers and ids. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An RFC 4122 version-4 UUID. */
  uuid(): string;
  /** `bytes` random bytes as lowercase hex. */
  hex(bytes: number): string;
}

function uuidFromBytes(bytes: Uint8Array): string {
  const b = Buffer.from(bytes);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40; // version 4
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A deterministic Random: the same seed yields the same sequence. */
export function seededRandom(seed: number): Random {
  const next = mulberry32(seed);
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
  return {
    next,
    uuid: () => uuidFromBytes(bytes(16)),
    hex: (n) => Buffer.from(bytes(n)).toString('hex'),
  };
}

/** Random from node:crypto (ids) and Math.random (faults). */
export const cryptoRandom: Random = {
  next: () => Math.random(),
  uuid: () => randomUUID(),
  hex: (n) => randomBytes(n).toString('hex'),
};
