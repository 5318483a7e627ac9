import { EC2Client } from '@aws-sdk/client-ec2';
import { PricingClient } from '@aws-sdk/client-pricing';
import type { Command } from 'commander';
import { AWS_POOL_INSTANCE_TYPES, DEFAULT_FLEET, type Fleet } from '../../finops/cost/fleet';
import { readLedgers } from '../../finops/cost/input';
import { costOutput, renderCostText } from '../../finops/cost/output';
import { globalFetch } from '../../finops/prices/azure-prices';
import { PRICING_API_REGION } from '../../finops/prices/aws-prices';
import { resolvePriceTable, type PriceChoice } from '../../finops/prices/live';

export interface CostOptions {
  readonly json: boolean;
  readonly prices: string;
  readonly priceCache?: string;
  readonly factor?: number;
  readonly awsInstanceType?: string;
  readonly azureVmSize?: string;
  readonly awsRegion?: string;
  readonly azureRegion?: string;
}

/** `--prices offline | live | <cache file>`. */
export function priceChoice(prices: string, cacheFile: string | undefined): PriceChoice {
  if (prices === 'offline') return { kind: 'offline' };
  if (prices === 'live') return { kind: 'live', ...(cacheFile === undefined ? {} : { cacheFile }) };
  return { kind: 'file', file: prices };
}

/** The deployment's pools with the command line's overrides. */
export function fleetOf(options: CostOptions): Fleet {
  return {
    aws: { ...DEFAULT_FLEET.aws, ...(options.awsInstanceType ? { instanceType: options.awsInstanceType } : {}), ...(options.awsRegion ? { region: options.awsRegion } : {}) },
    azure: { ...DEFAULT_FLEET.azure, ...(options.azureVmSize ? { instanceType: options.azureVmSize } : {}), ...(options.azureRegion ? { region: options.azureRegion } : {}) },
    azureOnDemand: { ...DEFAULT_FLEET.azureOnDemand, ...(options.azureVmSize ? { instanceType: options.azureVmSize } : {}), ...(options.azureRegion ? { region: options.azureRegion } : {}) },
  };
}

const positive = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`expected a positive number, got ${value}`);
  return n;
};

/** Registers `spot-on cost <input>`: prices a drill report or a ledger file (finops/cost) and prints text or JSON. */
export function registerCost(program: Command, exitWith: (code: number) => void): void {
  program
    .command('cost')
    .description('price a run: GPU node time per cloud, pool and pricing model in real time, redone work, the standby, and what the failover saved')
    .argument('<input>', 'a drill report (drill.json or spot-on drill --json) or a ledger file (kind: spot-on-ledger)')
    .option('--json', 'print the cost report as JSON (the schema in finops/cost/report.ts)', false)
    .option('--prices <source>', 'offline (the dated table in finops/prices), live (AWS Price List, EC2 Spot history, Azure Retail Prices) or a file written by --price-cache', 'offline')
    .option('--price-cache <file>', 'with --prices live: write the fetched table and its timestamp here, for --prices <file> later')
    .option('--factor <n>', 'real seconds per drill second, when the report does not say (default: the report\'s, else 60)', positive)
    .option('--aws-instance-type <type>', `the EKS trainers' instance type (default ${DEFAULT_FLEET.aws.instanceType})`)
    .option('--azure-vm-size <size>', `the AKS gpuspot VM size (default ${DEFAULT_FLEET.azure.instanceType})`)
    .option('--aws-region <region>', `AWS region priced (default ${DEFAULT_FLEET.aws.region}, cdk/config.example.json)`)
    .option('--azure-region <region>', `Azure region priced (default ${DEFAULT_FLEET.azure.region}, the Terraform example)`)
    .addHelpText('after', '\nDrill times are multiplied by the time compression factor: costs are for the production durations. docs/FINOPS.md explains the four figures.')
    .action(async (input: string, options: CostOptions) => {
      const fleet = fleetOf(options);
      const ledgers = readLedgers(input, { fleet, ...(options.factor === undefined ? {} : { factor: options.factor }) });
      const live = () => ({
        clients: { ec2: new EC2Client({ region: fleet.aws.region }), pricing: new PricingClient({ region: PRICING_API_REGION }), fetch: globalFetch },
        request: {
          aws: { region: fleet.aws.region, instanceTypes: [...new Set([...AWS_POOL_INSTANCE_TYPES, fleet.aws.instanceType])] },
          azure: { region: fleet.azure.region, skus: [fleet.azure.instanceType] },
        },
      });
      const table = await resolvePriceTable(priceChoice(options.prices, options.priceCache), live, () => new Date());
      const output = costOutput(input, ledgers, table);
      process.stdout.write(options.json ? `${JSON.stringify(output, null, 2)}\n` : `${renderCostText(output)}\n`);
      exitWith(0);
    });
}
