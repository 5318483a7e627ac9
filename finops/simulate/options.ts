/**
 * The options of `spot-on simulate`, validated once at the edge: each one with zod, and every failure a
 * SimulateInputError that names the option. Everything inward gets typed values (ticks, policies, pool sources).
 */
import { z } from 'zod';
import { SimulateInputError } from './errors';
import { discretise, type Settings } from './model';
import { POLICIES, POLICY_NAMES, policyNamed } from './policies/registry';
import { TraceEncodingSchema, type TraceEncoding } from './traces/cant-be-late';
import { parsePoolArguments, type PoolSource } from './windows';
import { spotOnPolicy, spotOnPolicyWith } from './policies/spot-on';

/** The options as commander hands them over (strings, repeated `--pool` collected). */
export interface RawSimulateOptions {
  readonly pool?: readonly string[];
  readonly jobHours?: string;
  readonly deadlineHours?: string;
  readonly changeoverHours?: string;
  readonly failoverHours?: string;
  readonly failbackHours?: string;
  readonly onDemandPrice?: string;
  readonly spotPrice?: string;
  readonly traceEncoding?: string;
  readonly tickSeconds?: string;
  readonly policy?: string;
  readonly replacementGraceHours?: string;
  readonly json?: boolean;
  readonly html?: string;
}

export type AnyPolicy = (typeof POLICIES)[number];

export interface SimulateOptions {
  readonly sources: readonly PoolSource[];
  readonly settings: Settings;
  readonly spotUsdPerHour: number | undefined;
  readonly encoding: TraceEncoding | undefined;
  readonly policies: readonly AnyPolicy[];
  readonly json: boolean;
  readonly htmlFile: string | undefined;
}

/** The simulator's default tick: fine enough that 0.2 h, 0.5 h and whole hours are exact. */
export const DEFAULT_TICK_SECONDS = 60;

const Decimal = z.string().trim().regex(/^\d+(\.\d+)?$/, 'must be a number such as 0.2').transform(Number);
const Hours = Decimal.refine((value) => value >= 0, 'must not be negative');
const PositiveHours = Decimal.refine((value) => value > 0, 'must be more than 0');
const Usd = Decimal.refine((value) => value > 0, 'must be a price in $/h, more than 0');
const TickSeconds = z.string().trim().regex(/^\d+$/, 'must be whole seconds').transform(Number).refine((value) => value >= 1 && value <= 3600, 'must be 1-3600 seconds');

/** Parses one option; a missing required option or an invalid value throws a SimulateInputError naming the flag. */
function option<T extends z.ZodType>(flag: string, schema: T, value: unknown, required: true): z.output<T>;
function option<T extends z.ZodType>(flag: string, schema: T, value: unknown, required: false): z.output<T> | undefined;
function option<T extends z.ZodType>(flag: string, schema: T, value: unknown, required: boolean): z.output<T> | undefined {
  if (value === undefined) {
    if (required) throw new SimulateInputError(flag, 'is required');
    return undefined;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new SimulateInputError(flag, `${JSON.stringify(value)} ${parsed.error.issues[0]?.message ?? 'is invalid'}`, { cause: parsed.error });
  return parsed.data;
}

/** Resolves `--policy all|NAME[,NAME]`. */
export function parsePolicies(value: string | undefined): AnyPolicy[] {
  if (value === undefined || value.trim() === 'all') return [...POLICIES];
  const names = value.split(',').map((name) => name.trim()).filter((name) => name.length > 0);
  if (names.length === 0) throw new SimulateInputError('--policy', `names no policy: choose all or one or more of ${POLICY_NAMES.join(', ')}`);
  return names.map((name) => {
    const policy = policyNamed(name);
    if (policy === undefined) throw new SimulateInputError('--policy', `unknown policy "${name}": choose all or one or more of ${POLICY_NAMES.join(', ')}`);
    return policy;
  });
}

/**
 * With `--replacement-grace-hours`, the brain (spot-on) also runs with SPOTON_REPLACEMENT_GRACE_SECONDS set, as one
 * more row next to it: the knob priced on the user's own traces before it is deployed.
 */
function withGrace(policies: AnyPolicy[], graceHours: number | undefined): AnyPolicy[] {
  if (graceHours === undefined || graceHours === 0) return policies;
  const at = policies.findIndex((policy) => policy.name === spotOnPolicy.name);
  if (at === -1) throw new SimulateInputError('--replacement-grace-hours', 'applies to the spot-on policy: add it to --policy');
  const graced = spotOnPolicyWith({ replacementGraceSeconds: Math.round(graceHours * 3600) });
  return [...policies.slice(0, at + 1), graced, ...policies.slice(at + 1)];
}

/** Validates every option. */
export function parseSimulateOptions(raw: RawSimulateOptions): SimulateOptions {
  const sources = parsePoolArguments(raw.pool ?? []);
  const jobHours = option('--job-hours', PositiveHours, raw.jobHours, true);
  const deadlineHours = option('--deadline-hours', PositiveHours, raw.deadlineHours, true);
  const hours = {
    jobHours,
    deadlineHours,
    changeoverHours: option('--changeover-hours', Hours, raw.changeoverHours, true),
    failoverHours: option('--failover-hours', Hours, raw.failoverHours, true),
    failbackHours: option('--failback-hours', Hours, raw.failbackHours, true),
    onDemandUsdPerHour: option('--on-demand-price', Usd, raw.onDemandPrice, true),
    tickSeconds: option('--tick-seconds', TickSeconds, raw.tickSeconds, false) ?? DEFAULT_TICK_SECONDS,
  };
  let settings: Settings;
  try {
    settings = discretise(hours);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new SimulateInputError('--deadline-hours', error.message, { cause: error });
  }
  const encoding = option('--trace-encoding', TraceEncodingSchema, raw.traceEncoding, false);
  return {
    sources,
    settings,
    spotUsdPerHour: option('--spot-price', Usd, raw.spotPrice, false),
    encoding,
    policies: withGrace(parsePolicies(raw.policy), option('--replacement-grace-hours', Hours.refine((value) => value <= 1, 'must be at most 1 hour (the brain takes up to 3600 s)'), raw.replacementGraceHours, false)),
    json: raw.json ?? false,
    htmlFile: raw.html,
  };
}
