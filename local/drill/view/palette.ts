/**
 * The report's colours, in one place so the CSS legend and the SVG charts agree. Every colour that carries
 * meaning has at least 4.5:1 contrast on white (text) and is paired with a second cue (dash pattern, glyph,
 * label) so the charts read without colour too.
 */
import type { TraceComponent } from '../../../protocol/tracing';
import type { MarkerKind } from './markers';

export const COLORS = {
  ink: '#0f172a',
  text: '#1e293b',
  muted: '#475569',
  grid: '#e2e8f0',
  axis: '#94a3b8',
  surface: '#ffffff',
  page: '#f1f5f9',
  aws: '#b45309',
  azure: '#0063b1',
  mixed: '#6d28d9',
  loss: '#334155',
  accuracy: '#0f766e',
  baseline: '#64748b',
  incident: '#b91c1c',
  recovered: '#15803d',
  pass: '#15803d',
  fail: '#b91c1c',
  azureBand: 'rgba(0, 99, 177, 0.08)',
  slowestBand: '#fef3c7',
} as const;

export interface MarkerStyle {
  readonly color: string;
  /** SVG stroke-dasharray; empty for a solid line. */
  readonly dash: string;
}

/** Incidents in red, moves to Azure in Azure blue, moves back in AWS orange; a dashed line starts a move, a solid one completes it. */
export const MARKER_STYLES: Readonly<Record<MarkerKind, MarkerStyle>> = {
  spotWarning: { color: COLORS.incident, dash: '' },
  outageStarted: { color: COLORS.incident, dash: '' },
  outageEnded: { color: COLORS.recovered, dash: '2 3' },
  failoverStarted: { color: COLORS.azure, dash: '5 3' },
  azureActive: { color: COLORS.azure, dash: '' },
  failbackStarted: { color: COLORS.aws, dash: '5 3' },
  awsPrimary: { color: COLORS.aws, dash: '' },
};

/** Trace waterfall bars by component (trace-waterfall.ts): distinct hues; every row also names its component. */
export const COMPONENT_COLORS: Readonly<Record<TraceComponent, string>> = {
  lambda: COLORS.aws,
  trainer: '#4d7c0f',
  brain: COLORS.mixed,
  arm: COLORS.azure,
  kubernetes: COLORS.accuracy,
  aggregator: '#be185d',
};
