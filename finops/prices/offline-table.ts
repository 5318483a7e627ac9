/**
 * The default price table: GPU node prices that need no network, dated and with their source named.
 *
 * What it covers and why: the EKS trainers run on the Karpenter NodePool `spot-gpu`
 * (fl-training/deploy/karpenter/nodepool-spot-gpu.yaml: families g4dn, g5, g6; sizes xlarge to 4xlarge; Spot only),
 * the Azure trainers on the AKS pool `gpuspot` (terraform-azure: `gpu_spot_pool.vm_size` = Standard_NC4as_T4_v3,
 * Spot priority). The deployment's regions (cdk/config.example.json: ap-northeast-2; the Terraform example:
 * koreacentral) could not be sourced offline, so the table prices the US East reference regions and every cost
 * report that falls back to them says so; `spot-on cost --prices live` fetches the deployment's own regions.
 * Standard_NC6s_v3 is left out on purpose: Azure retired it on 2025-09-30 (MicrosoftDocs azure-docs,
 * articles/virtual-machines/ncv3-nc6s-nc12s-nc24s-retirement.md).
 */
import { parseOrThrow, PriceTableError } from './errors';
import { PriceTableSchema, type ComputePrice, type PriceTable } from './schema';

const KARPENTER_SOURCE =
  'AWS Price List API (us-east-1, Linux, Shared tenancy, On-Demand) as generated into aws/karpenter-provider-aws ' +
  'pkg/providers/pricing/zz_generated.pricing_aws.go ("generated at 2026-01-19T13:23:24Z for us-east-1")';
const KARPENTER_DAY = '2026-01-19';

/** Illustrative Spot prices are this share of the on-demand price (both clouds document discounts "up to 90%"). */
export const ILLUSTRATIVE_SPOT_SHARE = 0.35;
const SPOT_SOURCE = `illustrative: ${ILLUSTRATIVE_SPOT_SHARE * 100}% of the on-demand price above; Spot prices change every few minutes and could not be fetched offline (use --prices live)`;

/** us-east-1 On-Demand USD per hour of the NodePool's single-GPU types. */
const AWS_ON_DEMAND: Readonly<Record<string, number>> = {
  'g4dn.xlarge': 0.526,
  'g4dn.2xlarge': 0.752,
  'g4dn.4xlarge': 1.204,
  'g5.xlarge': 1.006,
  'g5.2xlarge': 1.212,
  'g5.4xlarge': 1.624,
  'g6.xlarge': 0.8048,
  'g6.2xlarge': 0.9776,
  'g6.4xlarge': 1.3232,
};

const AZURE_NC4AS_T4_V3_PAYG = 0.526;

const round4 = (usd: number) => Math.round(usd * 10_000) / 10_000;

function awsPrices(): ComputePrice[] {
  return Object.entries(AWS_ON_DEMAND).flatMap(([sku, usdPerHour]): ComputePrice[] => [
    { cloud: 'aws', region: 'us-east-1', sku, pricing: 'on-demand', usdPerHour, basis: 'published', source: KARPENTER_SOURCE, asOf: KARPENTER_DAY },
    { cloud: 'aws', region: 'us-east-1', sku, pricing: 'spot', usdPerHour: round4(usdPerHour * ILLUSTRATIVE_SPOT_SHARE), basis: 'illustrative', source: SPOT_SOURCE, asOf: KARPENTER_DAY },
  ]);
}

function azurePrices(): ComputePrice[] {
  return [
    {
      cloud: 'azure',
      region: 'eastus',
      sku: 'Standard_NC4as_T4_v3',
      pricing: 'on-demand',
      usdPerHour: AZURE_NC4AS_T4_V3_PAYG,
      basis: 'illustrative',
      source: 'illustrative: the commonly quoted East US Linux pay-as-you-go list price of NC4as T4 v3; not verified against the Azure Retail Prices API (no network here)',
      asOf: '2026-12-04',
    },
    {
      cloud: 'azure',
      region: 'eastus',
      sku: 'Standard_NC4as_T4_v3',
      pricing: 'spot',
      usdPerHour: round4(AZURE_NC4AS_T4_V3_PAYG * ILLUSTRATIVE_SPOT_SHARE),
      basis: 'illustrative',
      source: SPOT_SOURCE,
      asOf: '2026-12-04',
    },
  ];
}

/** The offline table, validated once at load: a typo in a number fails every command, not one run in ten. */
export const OFFLINE_PRICE_TABLE: PriceTable = parseOrThrow(
  PriceTableSchema,
  {
    name: 'offline',
    asOf: KARPENTER_DAY,
    source: 'finops/prices/offline-table.ts: AWS On-Demand from the AWS Price List API via Karpenter (2026-01-19); Spot and Azure prices illustrative',
    referenceRegions: { aws: 'us-east-1', azure: 'eastus' },
    compute: [...awsPrices(), ...azurePrices()],
  },
  'finops/prices/offline-table.ts',
  PriceTableError,
);
