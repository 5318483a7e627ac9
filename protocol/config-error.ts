/**
 * The one configuration error of every deployable (the Lambdas, the brain, the FL processes, the CDK app): a setting
 * is missing or invalid. It fails the process fast, at start, with a message that names each offending setting.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The settings at fault, when the caller knows them: environment variables, flags or `path.to.key`s. */
  readonly settings: readonly string[];

  constructor(message: string, options: ErrorOptions & { readonly settings?: readonly string[] } = {}) {
    super(message, options);
    this.settings = options.settings ?? [];
  }
}
