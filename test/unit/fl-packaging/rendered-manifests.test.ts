import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CHART_DIR, CLUSTERS, type Cluster, HELM, HELM_NOTE as NOTE, type YamlMap, at, helm, isMap, loadDocument, parseManifests, readText, templateArgs } from './helpers';

/**
 * fl-training/chart/rendered/<cluster>.yaml are the chart's manifests for each cluster with the example settings, kept
 * in Git so that the drill (and a reviewer) can read what a deployment applies without running helm. This suite
 * re-renders them and fails, with the command that regenerates them, when they drift. Objects are compared, not bytes:
 * comments and the layout helm 3 and helm 4 print differently do not matter.
 */

jest.setTimeout(60_000);

const renderIt = HELM ? it : it.skip;

const committedPath = (cluster: Cluster): string => join(CHART_DIR, 'rendered', `${cluster}.yaml`);

/** The command to paste, from the repository root. */
const regenerate = (cluster: Cluster): string => `helm ${templateArgs(cluster).join(' ')} > fl-training/chart/rendered/${cluster}.yaml`;

const describeObject = (object: YamlMap | undefined): string => (object ? `${String(object.kind)}/${String(at(object, ['metadata', 'name']))}` : 'nothing');

/** The first difference between two object lists, in words; undefined when they are equal. */
function firstDifference(committed: readonly YamlMap[], fresh: readonly YamlMap[]): string | undefined {
  for (let index = 0; index < Math.max(committed.length, fresh.length); index++) {
    if (JSON.stringify(committed[index]) !== JSON.stringify(fresh[index])) {
      return `object ${index + 1}: committed ${describeObject(committed[index])}, chart renders ${describeObject(fresh[index])}${
        describeObject(committed[index]) === describeObject(fresh[index]) ? ' with different content' : ''
      }`;
    }
  }
  return undefined;
}

describe(`fl-training/chart/rendered${NOTE}`, () => {
  it.each(CLUSTERS)('rendered/%s.yaml exists and holds the cluster\'s workload (runs with or without helm)', (cluster) => {
    if (!existsSync(committedPath(cluster))) throw new Error(`fl-training/chart/rendered/${cluster}.yaml is missing; run:\n  ${regenerate(cluster)}`);
    const objects = parseManifests(readText(committedPath(cluster)), `rendered/${cluster}.yaml`);
    expect(objects.some((object) => object.kind === 'Deployment' && at(object, ['metadata', 'name']) === 'fl-trainer')).toBe(true);
  });

  it.each(CLUSTERS)("rendered/%s.yaml gives every workload the example's data URL (runs with or without helm)", (cluster) => {
    const url = at(loadDocument(join(CHART_DIR, 'examples', `${cluster}.yaml`)), ['data', 'url']);
    const objects = parseManifests(readText(committedPath(cluster)), `rendered/${cluster}.yaml`);
    const dataUrls = objects
      .filter((object) => object.kind === 'Deployment')
      .map((object) => {
        const containers = at(object, ['spec', 'template', 'spec', 'containers']);
        const env = Array.isArray(containers) && isMap(containers[0]) && Array.isArray(containers[0].env) ? containers[0].env : [];
        return [String(at(object, ['metadata', 'name'])), env.filter(isMap).find((entry) => entry.name === 'SPOTON_DATA_URL')?.value];
      });
    expect(Object.fromEntries(dataUrls)).toStrictEqual(cluster === 'eks' ? { 'fl-trainer': url } : { 'fl-aggregator': url, 'fl-trainer': url });
  });

  it.each(CLUSTERS)('rendered/%s.yaml sends no spans: tracing is off unless tracing.otlpEndpoint is set (runs with or without helm)', (cluster) => {
    const objects = parseManifests(readText(committedPath(cluster)), `rendered/${cluster}.yaml`);
    const otel = objects
      .filter((object) => object.kind === 'Deployment')
      .flatMap((object) => {
        const containers = at(object, ['spec', 'template', 'spec', 'containers']);
        return (Array.isArray(containers) ? containers : []).filter(isMap).flatMap((item) => (Array.isArray(item.env) ? item.env : []));
      })
      .filter(isMap)
      .map((entry) => String(entry.name))
      .filter((name) => name.startsWith('OTEL_'));
    expect(otel).toStrictEqual([]);
  });

  renderIt.each(CLUSTERS)(`rendered/%s.yaml is what the chart renders now${NOTE}`, (cluster) => {
    const result = helm(templateArgs(cluster));
    if (result.status !== 0) throw new Error(`the chart does not render for ${cluster}: ${result.stderr}`);
    const committed = existsSync(committedPath(cluster)) ? parseManifests(readText(committedPath(cluster)), `rendered/${cluster}.yaml`) : [];
    const difference = firstDifference(committed, parseManifests(result.stdout, `helm template (${cluster})`));
    if (difference) {
      throw new Error(`fl-training/chart/rendered/${cluster}.yaml is out of date (${difference}); run:\n  ${regenerate(cluster)}`);
    }
  });
});
