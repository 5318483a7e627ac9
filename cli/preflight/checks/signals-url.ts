import { problems, skipped, type Check } from '../types';
import { sameEndpoint, shown, urlOf } from './support';

/** The brain's route (azure-functions: POST /api/signals). */
const SIGNALS_PATH = '/api/signals';

/** `<app>.azurewebsites.net`, or the unique name Flex Consumption may give it (`<app>-<hash>.<region>-01.azurewebsites.net`). */
function isAppHost(host: string, app: string): boolean {
  const escaped = app.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped}(-[a-z0-9]+\\.[a-z0-9]+-\\d{2})?\\.azurewebsites\\.net$`).test(host.toLowerCase());
}

/**
 * The signal Lambda posts to the brain Terraform creates: the CDK config's signals URL is the function app's (the
 * Terraform output when given, else a host named after the app Terraform derives) and ends in /api/signals.
 */
export const signalsUrlCheck: Check = {
  name: 'signals-url',
  run: ({ config, terraform, terraformOutputs }) => {
    const configured = config.azure.signalsEndpointUrl;
    const setting = 'CDK config azure.signalsEndpointUrl';
    const url = urlOf(configured);
    const pathLine = url !== undefined && url.pathname.replace(/\/+$/, '') !== SIGNALS_PATH ? `${setting} path ${shown(url.pathname)} is not the brain's ${SIGNALS_PATH}` : undefined;
    const fromOutput = terraformOutputs?.signalsUrl;
    if (fromOutput !== undefined) {
      return problems(pathLine, !sameEndpoint(configured, fromOutput) && `${setting} ${shown(configured)} differs from terraform output signals URL ${shown(fromOutput)}`);
    }
    const app = terraform.functionAppName;
    if (app === undefined) return skipped("terraform's function_app.name is an expression; pass --terraform-outputs to compare the signals URL");
    const hostLine = url !== undefined && !isAppHost(url.hostname, app) && `${setting} host ${shown(url.hostname)} is not the function app terraform creates (${app}.azurewebsites.net)`;
    return problems(pathLine, hostLine);
  },
};
