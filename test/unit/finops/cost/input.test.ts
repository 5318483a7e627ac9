/** Recognising `spot-on cost`'s inputs: a drill summary, a single drill report, a production ledger file. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CostInputError } from '../../../../finops/cost/errors';
import { ledgersOf, readLedgers } from '../../../../finops/cost/input';
import { drillReport, drillSummary, TEST_FLEET } from './support';

const options = { fleet: TEST_FLEET };

describe('ledgersOf', () => {
  it('reads one ledger per scenario of a summary, at the summary\'s time compression', () => {
    const ledgers = ledgersOf(drillSummary([drillReport(), drillReport({ scenario: 'aws-outage' })], 30), 'drill.json', options);
    expect(ledgers.map((l) => [l.run, l.durationSeconds, l.timeCompressionFactor])).toStrictEqual([
      ['spot-interruption', 1800, 30],
      ['aws-outage', 1800, 30],
    ]);
  });

  it('assumes the drill\'s factor for a single report, and says so; --factor overrides it', () => {
    const [assumed] = ledgersOf(drillReport(), 'report.json', options);
    expect(assumed?.notes[0]).toBe('a single-scenario report names no time compression: 60 assumed (the drill\'s default)');
    const [given] = ledgersOf(drillReport(), 'report.json', { ...options, factor: 120 });
    expect([given?.durationSeconds, given?.notes.length]).toStrictEqual([7200, 2]);
  });

  it('reads a production ledger file: ISO intervals clipped to the run, merged per node', () => {
    const file = {
      kind: 'spot-on-ledger',
      version: 1,
      runId: 'fl-demo-001',
      startedAt: '2026-12-01T10:00:00Z',
      endedAt: '2026-12-01T12:00:00Z',
      regions: { aws: 'ap-northeast-2', azure: 'koreacentral' },
      intervals: [
        { cloud: 'aws', pool: 'spot-gpu', instanceType: 'g5.xlarge', pricing: 'spot', node: 'i-0a', from: '2026-12-01T09:50:00Z', to: '2026-12-01T11:00:00Z' },
        { cloud: 'aws', pool: 'spot-gpu', instanceType: 'g5.xlarge', pricing: 'spot', node: 'i-0a', from: '2026-12-01T10:30:00Z', to: '2026-12-01T11:30:00Z' },
        { cloud: 'azure', pool: 'gpuspot', instanceType: 'Standard_NC4as_T4_v3', pricing: 'spot', node: 'aks-gpuspot-1', from: '2026-12-01T11:00:00+01:00', to: '2026-12-01T12:30:00Z' },
      ],
      work: { examples: 1000, examplesRedone: 10 },
    };
    expect(ledgersOf(file, 'ledger.json', options)).toStrictEqual([
      {
        run: 'fl-demo-001',
        source: 'ledger',
        durationSeconds: 7200,
        timeCompressionFactor: null,
        regions: { aws: 'ap-northeast-2', azure: 'koreacentral' },
        awsPool: { pool: 'spot-gpu', instanceType: 'g5.xlarge' },
        nodes: [
          { cloud: 'aws', pool: 'spot-gpu', instanceType: 'g5.xlarge', pricing: 'spot', node: 'i-0a', spans: [[0, 5400]] },
          { cloud: 'azure', pool: 'gpuspot', instanceType: 'Standard_NC4as_T4_v3', pricing: 'spot', node: 'aks-gpuspot-1', spans: [[0, 7200]] },
        ],
        work: { examples: 1000, redoneExamples: 10 },
        notes: [],
      },
    ]);
  });

  it('reads the ledger file documented in docs/FINOPS.md', () => {
    const doc = readFileSync(path.resolve(__dirname, '..', '..', '..', '..', 'docs', 'FINOPS.md'), 'utf8');
    const costModel = doc.slice(doc.indexOf('## Cost model'));
    const example = /```json\n([\s\S]*?)\n```/.exec(costModel)?.[1];
    const [ledger] = ledgersOf(JSON.parse(example ?? 'null'), 'docs/FINOPS.md', options);
    expect([ledger?.run, ledger?.durationSeconds, ledger?.nodes.length, ledger?.work]).toStrictEqual(['fl-demo-001', 7200, 2, { examples: 120_000, redoneExamples: 3750 }]);
  });

  it('refuses what is none of the three, and a damaged report with the schema\'s complaint', () => {
    expect(() => ledgersOf({ hello: 'world' }, 'x.json', options)).toThrow(new CostInputError('x.json: not a drill summary (scenarios), a drill report (scenario) or a ledger (kind: spot-on-ledger)'));
    const damaged = { ...drillReport(), durationMs: -1 };
    const error = (() => {
      try {
        ledgersOf(damaged, 'bad.json', options);
      } catch (e) {
        return e as CostInputError;
      }
      throw new Error('no error');
    })();
    expect(error).toBeInstanceOf(CostInputError);
    expect(error.message).toMatch(/^bad\.json:\n.*durationMs/s);
    expect((error.cause as Error).name).toBe('ZodError');
  });
});

describe('readLedgers', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'spot-on-cost-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file and fails with the file name when it is not JSON', () => {
    const file = path.join(dir, 'drill.json');
    writeFileSync(file, JSON.stringify(drillSummary()));
    expect(readLedgers(file, options).map((l) => l.run)).toStrictEqual(['spot-interruption']);
    writeFileSync(file, '{');
    expect(() => readLedgers(file, options)).toThrow(expect.objectContaining({ name: 'CostInputError', message: expect.stringContaining(`${file}: cannot read JSON`) }));
  });
});
