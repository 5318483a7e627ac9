import { execFileSync } from 'node:child_process';
import {
  EXAMPLE_FILES,
  EXAMPLE_MAIN,
  MODULE_FILES,
  NO_TERRAFORM,
  ROOT,
  TERRAFORM,
  TERRAFORM_ENV,
  TF_FILES,
  TerraformModule,
  asObject,
  keysIn,
  single,
  stringAt,
  stringsIn,
  withTerraform,
} from './support/terraform-module';

/**
 * Static checks of the Azure Terraform (terraform-azure/) as a whole: every file parses and is formatted, every
 * reference resolves, the provider constraints match the argument names used, and every variable is typed and
 * described. The resources are checked in terraform-resources.test.ts, the brain's settings and roles in
 * terraform-brain.test.ts, the cross-cloud wiring in terraform-cross-cloud.test.ts, the variable validations in
 * terraform-validation.test.ts.
 */

jest.setTimeout(60_000);

let tf: TerraformModule;

beforeAll(async () => {
  tf = await TerraformModule.load();
});

describe('files', () => {
  it('finds the module files split by concern and the runnable example', () => {
    for (const file of [
      'versions.tf',
      'variables.tf',
      'variables.keyvault.tf',
      'locals.tf',
      'outputs.tf',
      'outputs.aws.tf',
      'moved.tf',
      'main.network.tf',
      'main.dns.tf',
      'variables.network.tf',
      'main.vpn.tf',
      'variables.vpn.tf',
      'main.aks.tf',
      'variables.aks.tf',
      'main.workload_identity.tf',
      'variables.aggregator.tf',
      'main.storage.tf',
      'main.registry.tf',
      'main.keyvault.tf',
      'main.private_endpoints.tf',
      'main.functions.tf',
      'variables.functions.tf',
      'main.monitoring.tf',
      'main.nsg.tf',
      'main.rbac.tf',
      EXAMPLE_MAIN,
      'examples/default/variables.tf',
      'examples/default/outputs.tf',
    ]) {
      expect(TF_FILES).toContain(file);
    }
  });

  it.each(TF_FILES)('%s parses as HCL', (path) => {
    expect(tf.parseError(path)).toBeUndefined();
    expect(() => tf.json(path)).not.toThrow();
  });

  it.each(TF_FILES)('%s stays under about 300 lines (split by concern)', (path) => {
    expect(tf.source(path).split('\n').length).toBeLessThanOrEqual(300);
  });

  withTerraform(`terraform fmt -check -recursive -diff terraform-azure${NO_TERRAFORM}`, () => {
    let output = '';
    try {
      execFileSync(TERRAFORM ?? 'terraform', ['fmt', '-check', '-recursive', '-diff', '-no-color', 'terraform-azure'], { cwd: ROOT, stdio: 'pipe', env: TERRAFORM_ENV });
    } catch (error) {
      output = String((error as { stdout?: Buffer }).stdout ?? error);
    }
    // The diff itself is the failure message: it shows what `terraform fmt` would change.
    expect(output).toBe('');
  });
});

describe('references', () => {
  /** `type.name` of every resource, `data.type.name` of every data source an expression in `files` names. */
  function referencedAddresses(files: readonly string[]): { resources: Set<string>; data: Set<string>; locals: Set<string>; variables: Set<string>; moduleOutputs: Set<string> } {
    const sections = ['resource', 'data', 'locals', 'output', 'module', 'terraform', 'provider', 'variable'];
    const expressions = files.flatMap((path) => sections.flatMap((kind) => stringsIn(tf.json(path)[kind]))).filter((text) => text.includes('${'));
    const found = { resources: new Set<string>(), data: new Set<string>(), locals: new Set<string>(), variables: new Set<string>(), moduleOutputs: new Set<string>() };
    for (const text of expressions) {
      for (const match of text.matchAll(/(^|[^.\w])((?:azurerm|azapi)_[a-z0-9_]+)\.([a-z0-9_]+)/g)) found.resources.add(`${match[2]}.${match[3]}`);
      for (const match of text.matchAll(/\bdata\.([a-z0-9_]+)\.([a-z0-9_]+)/g)) found.data.add(`${match[1]}.${match[2]}`);
      for (const match of text.matchAll(/\blocal\.([a-z0-9_]+)/g)) found.locals.add(match[1] ?? '');
      for (const match of text.matchAll(/\bvar\.([a-z0-9_]+)/g)) found.variables.add(match[1] ?? '');
      for (const match of text.matchAll(/\bmodule\.spot_on_azure\.([a-z0-9_]+)/g)) found.moduleOutputs.add(match[1] ?? '');
    }
    return found;
  }

  it('names only resources, data sources, locals and variables the module declares (none left behind by a rename)', () => {
    const used = referencedAddresses(MODULE_FILES);
    const declared = new Set(tf.resources().keys());
    const declaredData = new Set(tf.resources('data').keys());
    const declaredVariables = new Set(tf.namedBlocks(MODULE_FILES, 'variable').keys());
    expect([...used.resources].filter((address) => !declared.has(address))).toStrictEqual([]);
    expect([...used.data].filter((address) => !declaredData.has(address))).toStrictEqual([]);
    expect([...used.locals].filter((name) => !tf.locals().has(name))).toStrictEqual([]);
    expect([...used.variables].filter((name) => !declaredVariables.has(name))).toStrictEqual([]);
  });

  it('lets the example use only module outputs and variables that exist', () => {
    const used = referencedAddresses(EXAMPLE_FILES);
    const outputs = new Set(tf.namedBlocks(MODULE_FILES, 'output').keys());
    expect(used.moduleOutputs.size).toBeGreaterThan(3);
    expect([...used.moduleOutputs].filter((name) => !outputs.has(name))).toStrictEqual([]);
    const exampleVariables = new Set(tf.namedBlocks(EXAMPLE_FILES, 'variable').keys());
    expect([...used.variables].filter((name) => !exampleVariables.has(name))).toStrictEqual([]);
    const moduleVariables = new Set(tf.namedBlocks(MODULE_FILES, 'variable').keys());
    const passed = Object.keys(tf.exampleModule()).filter((key) => key !== 'source');
    expect(passed.filter((name) => !moduleVariables.has(name))).toStrictEqual([]);
  });

  it('moves every old address of a repeated block to a key its for_each map really has', () => {
    const moves = tf.section(['moved.tf'], 'moved').map((body) => ({ from: stringAt(body, 'from'), to: stringAt(body, 'to') }));
    expect(moves.length).toBeGreaterThanOrEqual(9);
    for (const { from, to } of moves) {
      const target = /^\$\{([a-z0-9_]+)\.([a-z0-9_]+)\["([a-z0-9_]+)"\]\}$/.exec(to);
      expect({ to, parsed: target !== null }).toStrictEqual({ to, parsed: true });
      const [, type = '', name = '', key = ''] = target ?? [];
      const forEach = tf.throughLocal(tf.resource(type, name).for_each);
      expect({ to, key, inForEach: Object.keys(asObject(forEach, `${type}.${name} for_each`)).includes(key) }).toStrictEqual({ to, key, inForEach: true });
      const source = /^\$\{([a-z0-9_]+)\.([a-z0-9_]+)/.exec(from);
      expect({ from, stillDeclared: tf.resources().has(`${source?.[1]}.${source?.[2]}`) }).toStrictEqual({ from, stillDeclared: false });
    }
  });
});

describe('versions and providers', () => {
  it('requires terraform >= 1.11, azurerm 4.x from 4.78 (the renamed arguments) and azapi >= 2.5, and configures no provider in the module', () => {
    const settings = single(tf.json('versions.tf').terraform, 'terraform');
    expect(stringAt(settings, 'required_version')).toBe('>= 1.11, < 2.0');
    const providers = single(settings.required_providers, 'required_providers');
    expect(providers.azurerm).toStrictEqual({ source: 'hashicorp/azurerm', version: '>= 4.78, < 5.0' });
    expect(providers.azapi).toStrictEqual({ source: 'Azure/azapi', version: '>= 2.5, < 3.0' });
    expect(tf.section(MODULE_FILES, 'provider')).toStrictEqual([]);
    const example = single(tf.json(EXAMPLE_MAIN).terraform, 'example terraform');
    expect(example.required_version).toBe(settings.required_version);
    expect(single(example.required_providers, 'example providers')).toStrictEqual(providers);
  });

  it('uses the current argument names, never the deprecated ones azurerm 5.0 removes', () => {
    const azurermKeys = [...tf.resources()].filter(([address]) => address.startsWith('azurerm_')).flatMap(([, body]) => keysIn(body));
    for (const deprecated of ['enable_rbac_authorization', 'local_authentication_disabled', 'enable_bgp', 'parent_id']) {
      expect({ deprecated, used: azurermKeys.includes(deprecated) }).toStrictEqual({ deprecated, used: false });
    }
    expect(tf.resource('azurerm_key_vault', 'this').rbac_authorization_enabled).toBe(true);
    expect(tf.resource('azurerm_application_insights', 'functions').local_authentication_enabled).toBe(false);
    expect(tf.resource('azurerm_virtual_network_gateway', 'this').bgp_enabled).toBe(true);
    expect(tf.resource('azurerm_virtual_network_gateway_connection', 'aws').bgp_enabled).toBe(true);
    for (const name of ['workload', 'workload_eks']) {
      const credential = tf.resource('azurerm_federated_identity_credential', name);
      expect(credential.user_assigned_identity_id).toBe('${azurerm_user_assigned_identity.workload[each.key].id}');
      expect(credential.resource_group_name).toBeUndefined();
    }
  });

  it('configures the providers in the example, with Entra ID storage auth, and calls the module with its secrets', () => {
    const providers = tf.section([EXAMPLE_MAIN], 'provider');
    const azurerm = single(asObject(providers[0], 'provider').azurerm, 'provider azurerm');
    expect(azurerm.storage_use_azuread).toBe(true);
    const storageFeatures = single(single(azurerm.features, 'features').storage, 'features.storage');
    expect(storageFeatures.data_plane_available).toBe(false);
    const module = tf.exampleModule();
    expect(module.source).toBe('../..');
    expect(module.location).toBe('${azurerm_resource_group.this.location}');
    expect(module.signal_keys).toBe('${var.signal_keys}');
    expect(module.trainer_keys).toBe('${var.trainer_keys}');
    expect(module.aws_vpn_shared_keys).toBe('${var.aws_vpn_shared_keys}');
    const exampleVariables = tf.namedBlocks(['examples/default/variables.tf'], 'variable');
    expect(exampleVariables.get('signal_keys')?.sensitive).toBe(true);
    expect(exampleVariables.get('trainer_keys')?.sensitive).toBe(true);
    expect(exampleVariables.has('signing_secret')).toBe(false);
    expect(exampleVariables.get('aws_vpn_shared_keys')?.sensitive).toBe(true);
  });
});

describe('variables', () => {
  it('gives every variable (module and example) a description and a type', () => {
    const all = TF_FILES.filter((path) => tf.json(path).variable !== undefined).flatMap((path) =>
      [...tf.namedBlocks([path], 'variable').entries()].map(([name, body]) => ({ name: `${path}:${name}`, body })),
    );
    expect(all.length).toBeGreaterThan(20);
    const missing = all.filter(({ body }) => typeof body.description !== 'string' || (body.description as string).trim() === '' || typeof body.type !== 'string');
    expect(missing.map(({ name }) => name)).toStrictEqual([]);
  });

  it('marks both key rings and the VPN pre-shared keys sensitive; the rings are required and never null', () => {
    for (const name of ['signal_keys', 'trainer_keys']) {
      expect({ name, sensitive: tf.variable(name).sensitive, nullable: tf.variable(name).nullable, default: tf.variable(name).default }).toStrictEqual({ name, sensitive: true, nullable: false, default: undefined });
    }
    expect(tf.variable('aws_vpn_shared_keys').sensitive).toBe(true);
    const variables = new Set(tf.namedBlocks(MODULE_FILES, 'variable').keys());
    expect(['signing_secret', 'signing_secret_version'].filter((name) => variables.has(name))).toStrictEqual([]);
  });

  it('validates each key ring as protocol/keys.ts parses it: 1-3 keys, 32-512 allowed characters each, none empty, no duplicate', () => {
    for (const name of ['signal_keys', 'trainer_keys']) {
      const conditions = tf.validationConditions(tf.variable(name)).join('\n');
      expect(conditions).toContain(`length(split(",", var.${name})) <= 3`);
      expect(conditions).toContain(`!contains(split(",", var.${name}), "")`);
      expect(conditions).toContain('can(regex("^[A-Za-z0-9_+/=.-]{32,512}$", key))');
      expect(conditions).toContain(`length(distinct(split(",", var.${name}))) == length(split(",", var.${name}))`);
    }
  });

  it('defaults to Korea Central', () => {
    expect(tf.variable('location').default).toBe('koreacentral');
  });

  it('validates every network range as a CIDR', () => {
    for (const name of ['hub_network', 'spoke_network', 'aws_vpc_cidrs']) {
      expect(tf.validationConditions(tf.variable(name)).some((condition) => condition.includes('can(cidrhost('))).toBe(true);
    }
    expect(tf.validationConditions(tf.variable('aws_vpn_tunnels')).join('\n')).toContain('cidrhost');
  });

  it('accepts only -1 or a positive spot_max_price, and bounds the GPU pool size', () => {
    const conditions = tf.validationConditions(tf.variable('gpu_spot_pool'));
    expect(conditions).toContain('${var.gpu_spot_pool.spot_max_price == -1 || var.gpu_spot_pool.spot_max_price > 0}');
    expect(conditions.some((condition) => condition.includes('var.gpu_spot_pool.max_count >= 1'))).toBe(true);
  });

  it('checks that every tunnel has a shared key and uses the gateway APIPA addresses', () => {
    expect(tf.validationConditions(tf.variable('aws_vpn_shared_keys')).join('\n')).toContain('contains(keys(var.aws_vpn_shared_keys), tunnel.name)');
    expect(tf.validationConditions(tf.variable('aws_vpn_tunnels')).join('\n')).toContain('var.vpn_gateway.apipa_addresses.primary');
  });

  it('rejects storage keys in extra app settings', () => {
    expect(tf.validationConditions(tf.variable('function_app')).join('\n')).toContain('AccountKey=');
  });
});
