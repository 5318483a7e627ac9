/** The drill's human-facing output: the HTML report, the live terminal view and the final terminal summary. */
export { renderHtmlReport, SCENARIO_DESCRIPTIONS, type HtmlReportOptions } from './html-report';
export { createProgressView, progressMode, SILENT_OBSERVER, type DrillObserver, type PlacementCounts, type ProgressView, type ProgressViewOptions } from './progress-view';
export { renderSummaryTable, renderTimeline } from './timeline-text';
export { ACCURACY_TOLERANCE_PP, expectedIncidents, judgeReport, type IncidentCounts, type Verdict } from './verdict';
export { chartMarkers, MARKER_EVENTS, markerKind, type MarkerEvent, type MarkerKind } from './markers';
