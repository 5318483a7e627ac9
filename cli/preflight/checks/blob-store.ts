import { CLUSTERS } from '../inputs/chart-values';
import { problems, skipped, type Check } from '../types';
import { chartSetting, shown, urlOf } from './support';

/**
 * Checkpoints and flushed updates go to the storage account Terraform creates: the aggregator stores rounds there
 * and EKS trainers fall back to it when the aggregator is unreachable during a Spot notice. A different account or
 * container fails only then, with the work already gone.
 */
export const blobStoreCheck: Check = {
  name: 'blob-store',
  run: ({ charts, terraform, terraformOutputs }) => {
    const account = terraformOutputs?.storageAccountName ?? terraform.storageAccountName;
    if (account === undefined) return skipped("terraform's storage.account_name is an expression; pass --terraform-outputs");
    const host = `${account}.blob.core.windows.net`;
    return problems(
      ...CLUSTERS.flatMap((cluster) => {
        const storage = charts[cluster]?.values.storage;
        if (storage === undefined || storage.accountUrl === '') return [];
        const url = urlOf(storage.accountUrl);
        return [
          url?.hostname.toLowerCase() !== host && `${chartSetting(cluster, 'storage.accountUrl')} ${shown(storage.accountUrl)} is not the storage account terraform creates (https://${host})`,
          terraform.storageContainer !== undefined && storage.container !== terraform.storageContainer &&
            `${chartSetting(cluster, 'storage.container')} ${shown(storage.container)} differs from terraform storage.container_name (${terraform.storageContainer})`,
        ];
      }),
    );
  },
};
