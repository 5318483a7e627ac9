/** Small readers of the rendered HTML for the view tests (no DOM in unit tests: the e2e test uses Chromium). */

/** The markup of the element that opens with `<tag ... id="id"`, up to its matching close tag (no nesting of the same tag inside). */
export function elementById(html: string, tag: string, id: string): string {
  const at = html.indexOf(` id="${id}"`);
  const start = html.lastIndexOf(`<${tag} `, at);
  const end = html.indexOf(`</${tag}>`, at);
  if (at < 0 || start < 0 || end < 0) throw new Error(`no <${tag} id="${id}"> in the HTML`);
  return html.slice(start, end + tag.length + 3);
}

/** Every match of a regular expression's first group. */
export function allGroups(text: string, pattern: RegExp): string[] {
  return [...text.matchAll(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`))].map((m) => m[1] ?? '');
}

/** The `cx` of each `circle.point` in a chart, by round. */
export function pointXByRound(svg: string): Map<number, number> {
  const points = [...svg.matchAll(/<circle class="point" data-round="([\d.]+)" cx="([\d.]+)"/g)];
  return new Map(points.map((m) => [Number(m[1]), Number(m[2])]));
}

/** Each marker of a chart: kind, event, position and the x of its line. */
export function markersOf(svg: string): { kind: string; event: string; position: number; x: number }[] {
  return [...svg.matchAll(/<g class="marker" data-kind="(\w+)" data-event="([^"]*)" data-position="([\d.]+)"[^>]*>.*?<line x1="([\d.]+)"/g)].map((m) => ({
    kind: m[1] ?? '',
    event: m[2] ?? '',
    position: Number(m[3]),
    x: Number(m[4]),
  }));
}
