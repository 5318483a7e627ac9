/** `spot-on status`'s settings: flags for places, the environment for secrets, one ConfigError naming what is wrong. */
import { readStatusSettings, statusUrlOf, type StatusOptions } from '../../../cli/status/settings';
import { ConfigError } from '../../../protocol/config-error';

const KEY = 'aBcD0123456789_functionKey==';
const AZURITE = 'UseDevelopmentStorage=true';

function failure(options: StatusOptions, env: Record<string, string> = {}) {
  try {
    readStatusSettings(options, env);
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message, settings: (error as ConfigError).settings, isConfigError: error instanceof ConfigError };
  }
  throw new Error('expected a ConfigError');
}

describe('status settings', () => {
  it('reads a live deployment: the signals URL, the key from the environment, status.json from the account', () => {
    const settings = readStatusSettings(
      { brainUrl: 'https://ai-fl-mc-dev-func.azurewebsites.net/api/signals', runId: 'run-1', blobAccountUrl: 'https://aiflmc.blob.core.windows.net', watch: '10', json: true },
      { SPOTON_STATUS_KEY: KEY },
    );
    expect(settings).toStrictEqual({
      statusUrl: 'https://ai-fl-mc-dev-func.azurewebsites.net/api/status',
      runId: 'run-1',
      statusKey: KEY,
      runStatus: { kind: 'blob', accountUrl: 'https://aiflmc.blob.core.windows.net' },
      watchSeconds: 10,
      json: true,
    });
  });

  it('reads the local cloud: no key, the aggregator URL over the connection string, --watch alone', () => {
    const settings = readStatusSettings({ brainUrl: 'http://127.0.0.1:7071/', aggregatorUrl: 'http://127.0.0.1:8080/', watch: true }, { SPOTON_BLOB_CONNECTION_STRING: AZURITE });
    expect(settings).toStrictEqual({ statusUrl: 'http://127.0.0.1:7071/api/status', runStatus: { kind: 'aggregator', url: 'http://127.0.0.1:8080' }, watchSeconds: 5, json: false });
    expect(readStatusSettings({ brainUrl: 'http://localhost:7071/api', container: 'other-box' }, { SPOTON_BLOB_CONNECTION_STRING: AZURITE })).toStrictEqual({
      statusUrl: 'http://localhost:7071/api/status',
      runStatus: { kind: 'blob', connectionString: AZURITE, container: 'other-box' },
      json: false,
    });
  });

  it('derives the status URL from any of the brain URLs an operator has', () => {
    expect(['https://f.azurewebsites.net', 'https://f.azurewebsites.net/api/', 'https://f.azurewebsites.net/api/status', 'https://gw.example/brain/api/signals'].map(statusUrlOf)).toStrictEqual([
      'https://f.azurewebsites.net/api/status',
      'https://f.azurewebsites.net/api/status',
      'https://f.azurewebsites.net/api/status',
      'https://gw.example/brain/api/status',
    ]);
  });

  it('names every flag at fault and never shows the key', () => {
    expect(failure({ runId: '../x', watch: '0' }, { SPOTON_STATUS_KEY: 'has a space', SPOTON_BLOB_CONNECTION_STRING: AZURITE })).toStrictEqual({
      name: 'ConfigError',
      message:
        '--brain-url: is required: the function app URL (or the Terraform output function_app_signals_url); ' +
        '--run-id: must be 1-63 of [A-Za-z0-9._-], starting with a letter or digit; --watch: must be at least 1 second; ' +
        'SPOTON_STATUS_KEY: a function key is 1-512 of letters, digits and _-+/=. (no spaces or newlines)',
      settings: ['--brain-url', '--run-id', '--watch', 'SPOTON_STATUS_KEY'],
      isConfigError: true,
    });
  });

  it('needs one run status source', () => {
    expect(failure({ brainUrl: 'http://127.0.0.1:7071' })).toStrictEqual({
      name: 'ConfigError',
      message: 'no run status source: give --aggregator-url, --blob-account-url or set SPOTON_BLOB_CONNECTION_STRING',
      settings: ['--aggregator-url', '--blob-account-url', 'SPOTON_BLOB_CONNECTION_STRING'],
      isConfigError: true,
    });
    expect(failure({ brainUrl: 'http://127.0.0.1:7071', aggregatorUrl: 'http://127.0.0.1:8080', blobAccountUrl: 'https://a.blob.core.windows.net' })).toStrictEqual({
      name: 'ConfigError',
      message: 'choose one run status source: --aggregator-url or --blob-account-url',
      settings: ['--aggregator-url', '--blob-account-url'],
      isConfigError: true,
    });
  });

  it('refuses to send the key in clear text to another machine', () => {
    expect(failure({ brainUrl: 'http://brain.internal', aggregatorUrl: 'http://127.0.0.1:8080' }, { SPOTON_STATUS_KEY: KEY })).toStrictEqual({
      name: 'ConfigError',
      message: '--brain-url: SPOTON_STATUS_KEY is set, so the brain must be reached over https (or on loopback), not http://brain.internal',
      settings: ['--brain-url'],
      isConfigError: true,
    });
  });
});
