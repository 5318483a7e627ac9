import { forwardedDomains } from '../../../cdk/config';
import { problems, skipped, type Check } from '../types';
import { chartSetting, isIpv4, shown, urlOf } from './support';

/** Whether `host` is `domain` or a name inside it (Route 53 Resolver rules forward a domain and its subdomains). */
const inDomain = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`);

/**
 * EKS trainers reach the aggregator by a name only Azure's private DNS knows: the host of the EKS release's
 * fl.aggregatorUrl must lie in a domain the CDK config forwards to Azure, and be the record Terraform creates.
 * Otherwise trainers cannot send updates, and their partial work is lost on the next Spot warning.
 */
export const aggregatorDnsCheck: Check = {
  name: 'aggregator-dns',
  run: ({ config, charts, terraform, terraformOutputs }) => {
    const eks = charts.eks?.values;
    if (eks === undefined || !eks.trainer.enabled) return skipped('no eks values with trainers');
    const setting = chartSetting('eks', 'fl.aggregatorUrl');
    const url = urlOf(eks.fl.aggregatorUrl);
    if (url === undefined) return problems(`${setting} ${shown(eks.fl.aggregatorUrl)} is not a URL`);
    const host = url.hostname.toLowerCase();
    if (isIpv4(host)) return problems(`${setting} host ${host} is an address; use the aggregator's name (terraform output aggregator.url), which DNS keeps right`);
    const domains = forwardedDomains(config.azure.dns);
    const forwardLine =
      !domains.some((domain) => inDomain(host, domain)) &&
      `${setting} host ${shown(host)} is in no domain the CDK config forwards to Azure (azure.dns.aggregatorDomain ${shown(config.azure.dns.aggregatorDomain)}, additionalDomains ${shown(config.azure.dns.additionalDomains)})`;
    const { zone, record } = terraform.aggregator;
    const fqdn = terraformOutputs?.aggregator?.fqdn ?? (zone !== undefined && record !== undefined ? `${record}.${zone}` : undefined);
    const recordLine = fqdn !== undefined && host !== fqdn && `${setting} host ${shown(host)} is not the aggregator record terraform creates (${fqdn})`;
    return problems(forwardLine, recordLine);
  },
};
