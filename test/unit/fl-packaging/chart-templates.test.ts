import { basename, join } from 'node:path';
import {
  CHART_DIR,
  ROOT,
  TEMPLATES_DIR,
  blockProblems,
  definedTemplates,
  includedTemplates,
  isMap,
  listFiles,
  loadDocument,
  readText,
  scanTemplate,
  valueLeaves,
  valuePathExists,
  valuesReferences,
} from './helpers';

/**
 * Static checks of the chart's templates that need no helm: the template syntax balances, every include names a
 * defined template, every `.Values` path a template reads is declared in values.yaml, and every declared value is
 * read somewhere. This is not a renderer; chart-render.test.ts renders with helm where helm exists.
 */

const TEMPLATE_FILES = [...listFiles(TEMPLATES_DIR, '.yaml'), ...listFiles(TEMPLATES_DIR, '.tpl'), ...listFiles(TEMPLATES_DIR, '.txt')];
const scans = new Map(TEMPLATE_FILES.map((path) => [basename(path), scanTemplate(readText(path))]));
const values = loadDocument(join(CHART_DIR, 'values.yaml'));

describe('the template checker itself', () => {
  it('finds the actions of a small template, skipping quotes and comments', () => {
    const scan = scanTemplate('{{/* a } comment */}}\na: {{ .Values.x | quote }}\n{{- if eq .Values.y "}}" }}b{{- end }}\n');
    expect(scan.problems).toStrictEqual([]);
    expect(scan.actions.map((action) => action.body)).toStrictEqual(['.Values.x | quote', 'if eq .Values.y "}}"', 'end']);
    expect(valuesReferences(scan.actions)).toStrictEqual([['x'], ['y']]);
  });

  it('reports unbalanced delimiters and blocks', () => {
    expect(scanTemplate('a: {{ .Values.x \nb: 1\n').problems).toStrictEqual(['line 1: "{{" without a matching "}}"']);
    expect(scanTemplate('a: .Values.x }}\n').problems).toStrictEqual(['line 1: "}}" outside an action']);
    expect(blockProblems(scanTemplate('{{ if .a }}{{ with .b }}{{ end }}').actions)).toStrictEqual(['line 1: if is never closed by end']);
    expect(blockProblems(scanTemplate('{{ end }}{{ else }}').actions)).toStrictEqual(['line 1: end without an open block', 'line 1: else outside if/with/range']);
  });
});

describe('chart templates', () => {
  it('has the templates the chart needs', () => {
    expect([...scans.keys()].sort()).toStrictEqual([
      'NOTES.txt',
      '_helpers.tpl',
      'aggregator-deployment.yaml',
      'aggregator-pdb.yaml',
      'aggregator-service.yaml',
      'aggregator-serviceaccount.yaml',
      'keys-secretproviderclass.yaml',
      'metrics-podmonitor.yaml',
      'metrics-prometheusrule.yaml',
      'metrics-servicemonitor.yaml',
      'trainer-deployment.yaml',
      'trainer-pdb.yaml',
      'trainer-serviceaccount.yaml',
    ]);
  });

  it.each([...scans.keys()])('%s: every {{ has its }} and every if/range/with/define has its end', (name) => {
    const scan = scans.get(name);
    expect(scan?.problems).toStrictEqual([]);
    expect(blockProblems(scan?.actions ?? [])).toStrictEqual([]);
  });

  it('includes only templates that _helpers.tpl defines, and defines each name once', () => {
    const defined = [...scans.values()].flatMap((scan) => definedTemplates(scan.actions));
    expect(new Set(defined).size).toBe(defined.length);
    const included = new Set([...scans.values()].flatMap((scan) => includedTemplates(scan.actions)));
    expect([...included].filter((name) => !defined.includes(name))).toStrictEqual([]);
  });

  it.each([...scans.keys()])('%s: reads only values that values.yaml declares', (name) => {
    const missing = valuesReferences(scans.get(name)?.actions ?? [])
      .filter((path) => !valuePathExists(values, path))
      .map((path) => `.Values.${path.join('.')}`);
    expect(missing).toStrictEqual([]);
  });

  it('reads every value that values.yaml declares (no dead settings)', () => {
    const read = [...scans.values()].flatMap((scan) => valuesReferences(scan.actions)).map((path) => path.join('.'));
    const unread = valueLeaves(values)
      .map((path) => path.join('.'))
      .filter((leaf) => !read.some((path) => leaf === path || leaf.startsWith(`${path}.`) || path.startsWith(`${leaf}.`)));
    expect(unread).toStrictEqual([]);
  });

  it('wraps every manifest template in a condition, so disabled parts render nothing', () => {
    for (const name of [...scans.keys()].filter((file) => file.endsWith('.yaml'))) {
      const first = scans.get(name)?.actions.find((action) => !action.body.startsWith('/*'));
      expect([name, first?.body.split(/\s+/)[0]]).toStrictEqual([name, 'if']);
    }
  });

  it('names the trainer and the aggregator as the rest of Spot-On addresses them', () => {
    const helpers = readText(join(TEMPLATES_DIR, '_helpers.tpl'));
    expect(helpers).toMatch(/define "spot-on-fl\.trainer\.name" -\}\}\nfl-trainer\n/);
    expect(helpers).toMatch(/define "spot-on-fl\.aggregator\.name" -\}\}\nfl-aggregator\n/);
    const config = JSON.parse(readText(join(ROOT, 'cdk/config.example.json'))) as unknown;
    expect(isMap(config) && isMap(config.eks) && isMap(config.eks.trainer) ? config.eks.trainer.labelSelector : undefined).toBe('app.kubernetes.io/name=fl-trainer');
  });

  it('templates no cluster-scoped RBAC: cdk/k8s/reflex-rbac.yaml is the single owner of the reflex node reader', () => {
    // Installing the same ClusterRole from two owners makes Helm refuse the release (it adopts no foreign objects).
    const rbac = [...scans.keys()].filter((name) => /kind:\s*(ClusterRole|ClusterRoleBinding)\b/.test(readText(join(TEMPLATES_DIR, name))));
    expect(rbac).toStrictEqual([]);
    expect(valueLeaves(values).filter((path) => path[0] === 'reflexRbac')).toStrictEqual([]);
  });

  it('never contains a Secret object or a secret value', () => {
    for (const [name, scan] of scans) {
      expect([name, /kind:\s*Secret\b/.test(readText(join(TEMPLATES_DIR, name)))]).toStrictEqual([name, false]);
      expect(scan.actions.filter((action) => /\b(b64enc|randAlphaNum|genPrivateKey)\b/.test(action.body))).toStrictEqual([]);
    }
  });
});
