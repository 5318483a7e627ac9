/** Number and time formatting shared by the HTML report and the terminal views, so both print the same figures. */

/** Printed where a figure does not apply (e.g. no flush in a scenario without a Spot warning). */
export const NOT_APPLICABLE = '—';

/** Milliseconds as seconds with one decimal (`12.3 s`); `null` (not measured) as {@link NOT_APPLICABLE}. */
export function formatSeconds(ms: number | null | undefined, digits = 1): string {
  if (ms === null || ms === undefined) return NOT_APPLICABLE;
  return `${(ms / 1000).toFixed(digits)} s`;
}

/** A fraction in [0, 1] as a percentage (`91.2%`). */
export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** A difference in percentage points with its sign (`+0.4 pp`, `-1.2 pp`, `±0.0 pp`). */
export function formatPp(pp: number, digits = 1): string {
  const rounded = Number(pp.toFixed(digits));
  if (rounded === 0) return `±${(0).toFixed(digits)} pp`;
  return `${rounded > 0 ? '+' : '-'}${Math.abs(rounded).toFixed(digits)} pp`;
}

/** An integer with thousands separators (`3,840`), independent of the machine's locale. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A loss value with three decimals. */
export function formatLoss(loss: number): string {
  return loss.toFixed(3);
}

/** Where trainers run, as the terminal shows it: `aws 2 · azure 1`. */
export function formatPlacement(counts: { aws: number; azure: number }): string {
  return `aws ${counts.aws} · azure ${counts.azure}`;
}
