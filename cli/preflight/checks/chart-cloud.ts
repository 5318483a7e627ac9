import { CLOUD_OF, CLUSTERS } from '../inputs/chart-values';
import { problems, type Check } from '../types';
import { chartSetting } from './support';

/**
 * Each release must say which cloud it runs on: fl.cloud picks the Spot notice the flush budget must fit and the
 * residency the aggregator enforces, so an EKS release that says azure would flush on Azure's 30 s budget and train
 * shards that must stay on AWS.
 */
export const chartCloudCheck: Check = {
  name: 'chart-cloud',
  run: ({ charts }) =>
    problems(
      ...CLUSTERS.map((cluster) => {
        const cloud = charts[cluster]?.values.fl.cloud;
        return cloud !== undefined && cloud !== CLOUD_OF[cluster] && `${chartSetting(cluster, 'fl.cloud')} is ${cloud}; the ${cluster} release must say ${CLOUD_OF[cluster]}`;
      }),
    ),
};
