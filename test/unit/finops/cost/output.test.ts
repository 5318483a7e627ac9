/** `spot-on cost`'s output: the JSON contract, the text table, and the command on a drill report file. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { fleetOf, priceChoice, registerCost } from '../../../../cli/commands/cost';
import { DEFAULT_FLEET } from '../../../../finops/cost/fleet';
import { ledgerFromDrill } from '../../../../finops/cost/from-drill';
import { costOutput, formatUsd, renderCostText } from '../../../../finops/cost/output';
import { priceLedger } from '../../../../finops/cost/price-ledger';
import { CostOutputSchema } from '../../../../finops/cost/report';
import { OFFLINE_PRICE_TABLE } from '../../../../finops/prices/offline-table';
import { standbyMonthly, STANDBY_LINES } from '../../../../finops/prices/standby';
import { drillReport, drillSummary, TEST_FLEET, TEST_STANDBY, TEST_TABLE } from './support';

describe('costOutput', () => {
  const ledger = ledgerFromDrill(drillReport(), 60, TEST_FLEET);
  const output = costOutput('drill.json', [ledger], TEST_TABLE, TEST_STANDBY);

  it('is the contract: the table used, the standby list with its monthly total, one report per run', () => {
    expect(output).toStrictEqual({
      version: 1,
      input: 'drill.json',
      prices: { table: 'test', asOf: '2026-12-01', source: 'round test prices' },
      standby: {
        monthlyUsd: 219,
        awsMonthlyUsd: 73,
        azureMonthlyUsd: 146,
        computeMonthlyUsd: 146,
        lines: [
          { id: 'aws-vpn-connection', cloud: 'aws', what: 'VPN', category: 'network', quantity: 2, unit: 'hour', usdPerUnit: 0.05, monthlyUsd: 73, basis: 'published', source: 'test' },
          { id: 'azure-vm', cloud: 'azure', what: 'VM', category: 'compute', quantity: 1, unit: 'month', usdPerUnit: 146, monthlyUsd: 146, basis: 'illustrative', source: 'test' },
          { id: 'azure-storage', cloud: 'azure', what: 'storage', category: 'platform', quantity: 1, unit: 'month', usdPerUnit: 0, monthlyUsd: 0, basis: 'usage', source: 'test' },
        ],
      },
      runs: [priceLedger(ledger, TEST_TABLE, TEST_STANDBY)],
    });
    expect(CostOutputSchema.parse(output)).toStrictEqual(output);
  });

  it('reads as a table per run, then the idle standby with only its priced lines', () => {
    expect(renderCostText(output).split('\n')).toStrictEqual([
      'prices: test table (as of 2026-12-01): round test prices',
      '',
      '== spot-interruption (drill): 1.00 h real time (drill time x 60)',
      'GPU nodes                                nodes  node-hours   USD/h      USD  price',
      'aws spot-gpu g4dn.xlarge spot                3       1.700  0.2000  $0.3400  published (us-east-1)',
      'azure gpuspot Standard_NC4as_T4_v3 spot      1       0.300  0.3000  $0.0900  published (eastus)',
      'redone work: 900 examples = 0.050 GPU-hours = $0.0108 (inside actual)',
      'standby over the run: $0.3000 (AWS $0.1000, Azure $0.2000)',
      'Figure                     USD  model',
      'actual                 $0.7300  GPU time at its prices + standby over 1.00 h',
      'all on-demand on AWS     $1.27  useful GPU work on AWS On-Demand + the same standby',
      "AWS Spot, no failover  $0.7800  Azure's work later on AWS Spot; standby over 1.30 h (waits 18.0 min)",
      'failover saved         $0.0500  no-failover minus actual',
      'note: instance types assumed from the deployment: AWS spot-gpu g4dn.xlarge spot, Azure gpuspot Standard_NC4as_T4_v3 spot (gpuondemand: on-demand)',
      'note: node time = trainer process time on the node (the drill reports no node boot or drain)',
      '',
      'Standby with nothing training: $219.00/month (AWS $73.00, Azure $146.00), of which always-on compute $146.00',
      'US East list prices of the example deployment (finops/prices/standby.ts); usage-billed lines (queues, storage, logs, functions) are not included',
      'Standby line  qty  USD/month  kind, price',
      'azure VM        1     146.00  compute, illustrative',
      'aws VPN         2      73.00  network, published',
    ]);
  });

  it('prints cents for dollars and four decimals below one', () => {
    expect([formatUsd(1241.137), formatUsd(0.01234), formatUsd(-0.5)]).toStrictEqual(['$1241.14', '$0.0123', '-$0.5000']);
  });
});

describe('spot-on cost', () => {
  let dir: string;
  let written: string[];
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'spot-on-cost-cli-'));
    written = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (...args: string[]) => {
    const codes: number[] = [];
    const program = new Command('spot-on').exitOverride();
    registerCost(program, (code) => codes.push(code));
    await program.parseAsync(['cost', ...args], { from: 'user' });
    return codes;
  };

  it('prices a drill.json with the offline table and prints the JSON contract', async () => {
    const file = path.join(dir, 'drill.json');
    writeFileSync(file, JSON.stringify(drillSummary()));
    expect(await run(file, '--json')).toStrictEqual([0]);
    const printed = CostOutputSchema.parse(JSON.parse(written.join('')));
    expect(printed).toStrictEqual(costOutput(file, [ledgerFromDrill(drillReport(), 60, DEFAULT_FLEET)], OFFLINE_PRICE_TABLE, STANDBY_LINES));
    expect(printed.standby.monthlyUsd).toBe(Math.round(standbyMonthly().total * 10_000) / 10_000);
  });

  it('takes the pools and regions from the command line, and the price source', () => {
    expect(fleetOf({ json: false, prices: 'offline', awsInstanceType: 'g5.xlarge', azureRegion: 'eastus' })).toStrictEqual({
      aws: { ...DEFAULT_FLEET.aws, instanceType: 'g5.xlarge' },
      azure: { ...DEFAULT_FLEET.azure, region: 'eastus' },
      azureOnDemand: { ...DEFAULT_FLEET.azureOnDemand, region: 'eastus' },
    });
    expect([priceChoice('offline', undefined), priceChoice('live', 'p.json'), priceChoice('p.json', undefined)]).toStrictEqual([
      { kind: 'offline' },
      { kind: 'live', cacheFile: 'p.json' },
      { kind: 'file', file: 'p.json' },
    ]);
  });
});
