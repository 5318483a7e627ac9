import type { Check } from '../types';
import { aggregatorAddressCheck } from './aggregator-address';
import { aggregatorDnsCheck } from './aggregator-dns';
import { backupTriggerCheck } from './backup-trigger';
import { blobStoreCheck } from './blob-store';
import { brainMinTrainersCheck } from './brain-min-trainers';
import { chartCloudCheck } from './chart-cloud';
import { deployAlarmsCheck } from './deploy-alarms';
import { flushBudgetCheck } from './flush-budget';
import { flushTargetCheck } from './flush-target';
import { karpenterNodeClassCheck } from './karpenter-node-class';
import { outboxBudgetCheck } from './outbox-budget';
import { resolverIpCheck } from './resolver-ip';
import { runIdCheck } from './run-id';
import { signalsUrlCheck } from './signals-url';
import { keyRingsCheck } from './key-rings';
import { vpnRangesCheck } from './vpn-ranges';

/** Every preflight check, in the order its problems are printed. */
export const CHECKS: readonly Check[] = [
  runIdCheck,
  signalsUrlCheck,
  aggregatorDnsCheck,
  resolverIpCheck,
  outboxBudgetCheck,
  deployAlarmsCheck,
  backupTriggerCheck,
  flushBudgetCheck,
  keyRingsCheck,
  karpenterNodeClassCheck,
  flushTargetCheck,
  aggregatorAddressCheck,
  vpnRangesCheck,
  blobStoreCheck,
  brainMinTrainersCheck,
  chartCloudCheck,
];
