// Placeholder until the signal handler lands; the CDK app bundles this entry point.
export const handler = async (): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> => ({ batchItemFailures: [] });
