/**
 * The MD5 digests SQS returns. @aws-sdk/client-sqs (middleware-sdk-sqs) checks MD5OfMessageBody on
 * SendMessage(Batch) and MD5OfBody on ReceiveMessage and throws on a mismatch; other SDKs (Java) also check
 * MD5OfMessageAttributes, computed as the SQS Developer Guide ("Calculating the MD5 message digest for message
 * attributes") describes: for each attribute, sorted by name, the big-endian 4-byte length and UTF-8 bytes of
 * the name, of the data type, then a transport byte (1 string, 2 binary) and the length and bytes of the value.
 */
import { createHash } from 'node:crypto';

/** A message attribute as the local SQS holds it. */
export interface MessageAttribute {
  /** `String`, `Number` or `Binary`, optionally with a custom suffix such as `Number.float`. */
  readonly dataType: string;
  readonly stringValue?: string;
  readonly binaryValue?: Buffer;
}

export type MessageAttributes = Readonly<Record<string, MessageAttribute>>;

/** Lowercase hex MD5 of a string's UTF-8 bytes (or of raw bytes). */
export function md5Hex(data: string | Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length, 0);
  return Buffer.concat([length, bytes]);
}

const STRING_TRANSPORT = 1;
const BINARY_TRANSPORT = 2;

/** MD5OfMessageAttributes, or undefined when there are no attributes (SQS then omits the field). */
export function md5OfMessageAttributes(attributes: MessageAttributes): string | undefined {
  const names = Object.keys(attributes).sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  for (const name of names) {
    const attribute = attributes[name] as MessageAttribute;
    hash.update(lengthPrefixed(Buffer.from(name, 'utf8')));
    hash.update(lengthPrefixed(Buffer.from(attribute.dataType, 'utf8')));
    if (attribute.binaryValue !== undefined) {
      hash.update(Buffer.from([BINARY_TRANSPORT]));
      hash.update(lengthPrefixed(attribute.binaryValue));
    } else {
      hash.update(Buffer.from([STRING_TRANSPORT]));
      hash.update(lengthPrefixed(Buffer.from(attribute.stringValue ?? '', 'utf8')));
    }
  }
  return hash.digest('hex');
}
