/** The local ARM emulator for AKS agent pools: see server.ts for what it emulates and its sources. */
export { startArmEmulator, emulatorCredential, InvalidArmSeedError } from './server';
export type { ArmEmulator, ArmEmulatorEvent, ArmEmulatorOptions, AgentPoolSnapshot, OperationSnapshot, RequestLogEntry } from './server';
export { ArmFaultSchema, CAPACITY_FAILURE_MESSAGES, FaultQueue } from './faults';
export type { ArmFault } from './faults';
export { ArmRequestError } from './errors';
export type { ArmErrorBody } from './errors';
export { ArmSeedSchema, SDK_API_VERSION, SPOT_TAINT, spotOnDevSeed } from './model';
export type { AgentPoolSpec, ArmSeed, ClusterRef, GpuPoolNames, PoolRef } from './model';
export { AKS_PUT_AGENT_POOL_BUCKET } from './token-bucket';
export type { TokenBucketConfig } from './token-bucket';
