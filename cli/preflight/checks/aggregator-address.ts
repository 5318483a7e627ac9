import { problems, skipped, type Check } from '../types';
import { chartSetting, portOf, shown, urlOf } from './support';

/**
 * Terraform's private DNS record points at a fixed address; the AKS aggregator Service must ask for exactly that
 * address and port on an internal load balancer, and the EKS trainers must dial that port. Otherwise the name
 * resolves but nothing answers, and EKS trainers cannot deliver their (flushed) updates.
 */
export const aggregatorAddressCheck: Check = {
  name: 'aggregator-address',
  run: ({ charts, terraform, terraformOutputs }) => {
    const address = terraformOutputs?.aggregator?.private_ip ?? terraform.aggregator.privateIp;
    const port = terraformOutputs?.aggregator?.port ?? terraform.aggregator.port;
    if (address === undefined && port === undefined) return skipped("terraform's aggregator address and port are expressions; pass --terraform-outputs");
    const aks = charts.aks?.values;
    const service = aks?.aggregator.enabled ? aks.aggregator.service : undefined;
    const eks = charts.eks?.values;
    const url = eks?.trainer.enabled ? urlOf(eks.fl.aggregatorUrl) : undefined;
    if (service === undefined && url === undefined) return skipped('no aks values with the aggregator and no eks values with trainers');
    const reachable = service === undefined || service.type === 'LoadBalancer';
    return problems(
      !reachable && `${chartSetting('aks', 'aggregator.service.type')} is ${service?.type}: EKS trainers reach the aggregator only through an internal LoadBalancer`,
      reachable && service !== undefined && address !== undefined && service.privateIp !== address &&
        `${chartSetting('aks', 'aggregator.service.privateIp')} ${shown(service.privateIp)} differs from the address terraform's aggregator record points at (${address})`,
      service !== undefined && port !== undefined && service.port !== port &&
        `${chartSetting('aks', 'aggregator.service.port')} (${service.port}) differs from terraform's aggregator.port (${port}), the port the NSGs open`,
      url !== undefined && port !== undefined && portOf(url) !== port &&
        `${chartSetting('eks', 'fl.aggregatorUrl')} port ${portOf(url)} differs from terraform's aggregator.port (${port})`,
    );
  },
};
