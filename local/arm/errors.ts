/**
 * ARM error answers: `{ "error": { "code", "message", "target"? } }` with an HTTP status, as Azure Resource
 * Manager and the AKS resource provider send them
 * (https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/common-deployment-errors).
 * The SDK turns such a body into a RestError whose `code` is `error.code` and `statusCode` the HTTP status.
 */

/** The JSON body of an ARM error answer. */
export interface ArmErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly target?: string };
}

/** An ARM request the emulator refuses; the server renders it as status, headers and error body. */
export class ArmRequestError extends Error {
  override readonly name = 'ArmRequestError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly options: { readonly target?: string; readonly headers?: Readonly<Record<string, string>>; readonly cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }

  /** The ARM error body for this error. */
  toBody(): ArmErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.options.target === undefined ? {} : { target: this.options.target }),
      },
    };
  }
}

/** 400 InvalidParameter, the AKS code for a request property with a bad value or a missing required one. */
export function invalidParameter(message: string, target: string): ArmRequestError {
  return new ArmRequestError(400, 'InvalidParameter', message, { target });
}

/** 400 InvalidParameter for a required property that is absent, in AKS's wording. */
export function missingParameter(target: string): ArmRequestError {
  return invalidParameter(`Required parameter ${target} is missing (null).`, target);
}

/** 400 PropertyChangeNotAllowed, in AKS's wording ("Changing property 'x' is not allowed."). */
export function propertyChangeNotAllowed(property: string): ArmRequestError {
  return new ArmRequestError(400, 'PropertyChangeNotAllowed', `Changing property '${property}' is not allowed.`, {
    target: property,
  });
}
