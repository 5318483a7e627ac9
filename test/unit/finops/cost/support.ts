/**
 * A small drill scenario with round numbers, for the cost tests: one real hour (60 drill seconds at factor 60), three
 * AWS Spot nodes and one Azure node, 36,000 committed examples and 900 done twice; plus a price table and a standby
 * list with round prices, so every figure can be checked by hand (price-ledger.test.ts shows the arithmetic).
 */
import { DrillReportSchema, DrillSummarySchema, type DrillReport, type DrillSummary, type Placement } from '../../../../local/drill/report';
import type { Fleet } from '../../../../finops/cost/fleet';
import type { PriceTable } from '../../../../finops/prices/schema';
import type { StandbyLine } from '../../../../finops/prices/standby';

const placement: Placement[] = [
  // One node, two trainer processes in turn: billed once, 0-60 s.
  { clientId: 'fl-trainer-aws-a', cloud: 'aws', node: 'ip-10-0-1-11', from: 0, to: 30_000, end: 'killed' },
  { clientId: 'fl-trainer-aws-a2', cloud: 'aws', node: 'ip-10-0-1-11', from: 30_000, to: 60_000, end: 'stopped' },
  { clientId: 'fl-trainer-aws-b', cloud: 'aws', node: 'ip-10-0-2-12', from: 0, to: 30_000, end: 'flushed' },
  { clientId: 'fl-trainer-azure-c', cloud: 'azure', node: 'aks-gpuspot-00001-vmss000000', from: 36_000, to: 54_000, end: 'scaled-in' },
  // Still running when the report was written: counted to the end of the scenario.
  { clientId: 'fl-trainer-aws-d', cloud: 'aws', node: 'ip-10-0-4-14', from: 48_000 },
];

/** The scenario, validated by the drill's own schema (a contract drift fails here first). */
export function drillReport(overrides: Partial<DrillReport> = {}): DrillReport {
  return DrillReportSchema.parse({
    scenario: 'spot-interruption',
    seed: 7,
    rounds: 3,
    examplesLost: 0,
    examplesRedone: 600,
    examplesDuplicated: 300,
    checkpoint: { warningToDurableMs: 900 },
    failover: { signalToPoolScaledMs: 5_000, signalToTrainingResumedMs: 6_000 },
    failback: { signalToAwsPrimaryMs: 2_000 },
    accuracy: { final: 0.88, baseline: 0.88 },
    epochs: [0, 1, 2],
    failovers: 1,
    failbacks: 1,
    signals: { sent: 2, accepted: 2, duplicates: 0, retried: 0 },
    deadLettered: { interruption: 0, outbox: 0 },
    durationMs: 60_000,
    roundsDetail: [1, 2, 3].map((round) => ({ round, t: round * 20_000, loss: 0.5, accuracy: 0.88, examples: 12_000, epoch: round - 1, participants: { aws: 2, azure: round === 2 ? 1 : 0 }, partialUpdates: 0 })),
    placement,
    timeline: [],
    ...overrides,
  });
}

export function drillSummary(reports: readonly DrillReport[] = [drillReport()], factor = 60): DrillSummary {
  return DrillSummarySchema.parse({ timeCompression: { factor, meaning: `every production duration is divided by ${factor}` }, scenarios: reports });
}

export const TEST_FLEET: Fleet = {
  aws: { pool: 'spot-gpu', instanceType: 'g4dn.xlarge', pricing: 'spot', region: 'us-east-1' },
  azure: { pool: 'gpuspot', instanceType: 'Standard_NC4as_T4_v3', pricing: 'spot', region: 'eastus' },
  azureOnDemand: { pool: 'gpuondemand', instanceType: 'Standard_NC4as_T4_v3', pricing: 'on-demand', region: 'eastus' },
};

const price = (cloud: 'aws' | 'azure', region: string, sku: string, pricing: 'spot' | 'on-demand', usdPerHour: number) => ({ cloud, region, sku, pricing, usdPerHour, basis: 'published' as const, source: 'test', asOf: '2026-12-01' });

export const TEST_TABLE: PriceTable = {
  name: 'test',
  asOf: '2026-12-01',
  source: 'round test prices',
  referenceRegions: { aws: 'us-east-1', azure: 'eastus' },
  compute: [
    price('aws', 'us-east-1', 'g4dn.xlarge', 'spot', 0.2),
    price('aws', 'us-east-1', 'g4dn.xlarge', 'on-demand', 0.5),
    price('azure', 'eastus', 'Standard_NC4as_T4_v3', 'spot', 0.3),
    price('azure', 'eastus', 'Standard_NC4as_T4_v3', 'on-demand', 0.6),
  ],
};

/** $0.10 an hour on AWS, $0.20 an hour on Azure. */
export const TEST_STANDBY: readonly StandbyLine[] = [
  { id: 'aws-vpn-connection', category: 'network', cloud: 'aws', what: 'VPN', resource: { kind: 'cfn', type: 'AWS::EC2::VPNConnection' }, quantity: 2, unit: 'hour', usdPerUnit: 0.05, basis: 'published', source: 'test' },
  { id: 'azure-vm', category: 'compute', cloud: 'azure', what: 'VM', resource: { kind: 'terraform', type: 'azurerm_linux_virtual_machine' }, quantity: 1, unit: 'month', usdPerUnit: 146, basis: 'illustrative', source: 'test' },
  { id: 'azure-storage', category: 'platform', cloud: 'azure', what: 'storage', resource: { kind: 'terraform', type: 'azurerm_storage_account' }, quantity: 1, unit: 'month', usdPerUnit: 0, basis: 'usage', source: 'test' },
];
