/**
 * A self-signed TLS certificate for the local ARM emulator, built with node:crypto alone (no openssl, no npm
 * package). The Azure SDK refuses bearer tokens over plain http, so the emulator must speak HTTPS; tests and
 * the local drill trust this certificate by passing its PEM as `tlsOptions.ca` to the SDK client.
 *
 * Node can sign but not build X.509 certificates, so the TBSCertificate (RFC 5280 section 4.1) is DER-encoded
 * here by hand: ECDSA P-256 with SHA-256, subjectAltName for the given DNS names and IP addresses, and
 * basicConstraints cA=true so that the certificate is its own trust anchor.
 */
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';

/** A certificate and its private key, both PEM. */
export interface SelfSignedCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

/** Options for {@link createSelfSignedCertificate}. */
export interface CertificateOptions {
  /** Subject common name. @default 'Spot-On local ARM emulator' */
  readonly commonName?: string;
  /** DNS names and IP addresses the certificate is valid for. @default ['localhost', '127.0.0.1', '::1'] */
  readonly altNames?: readonly string[];
  /** Validity in days from now. @default 30 */
  readonly validDays?: number;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

// DER tags used below.
const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  oid: 0x06,
  utf8String: 0x0c,
  sequence: 0x30,
  set: 0x31,
  utcTime: 0x17,
  generalizedTime: 0x18,
} as const;

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One DER tag-length-value. */
export function derTlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

const sequence = (...items: Buffer[]): Buffer => derTlv(TAG.sequence, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => derTlv(TAG.set, Buffer.concat(items));
const octetString = (content: Buffer): Buffer => derTlv(TAG.octetString, content);
const bitString = (content: Buffer, unusedBits = 0): Buffer =>
  derTlv(TAG.bitString, Buffer.concat([Buffer.from([unusedBits]), content]));
const explicit = (tagNumber: number, content: Buffer): Buffer => derTlv(0xa0 | tagNumber, content);

/** A DER INTEGER from unsigned big-endian bytes (a leading zero is added when the high bit is set). */
export function derUnsignedInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  const trimmed = bytes.subarray(start);
  const needsPad = (trimmed[0] ?? 0) >= 0x80;
  return derTlv(TAG.integer, needsPad ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

/** A DER OBJECT IDENTIFIER from dotted notation. */
export function derOid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((arc) => Number.parseInt(arc, 10));
  const [first = 0, second = 0, ...rest] = arcs;
  const bytes: number[] = [first * 40 + second];
  for (const arc of rest) {
    const base128: number[] = [];
    for (let value = arc; ; value = Math.floor(value / 128)) {
      base128.unshift((value % 128) | (base128.length > 0 ? 0x80 : 0));
      if (value < 128) break;
    }
    bytes.push(...base128);
  }
  return derTlv(TAG.oid, Buffer.from(bytes));
}

/** UTCTime for years before 2050, GeneralizedTime after (RFC 5280 section 4.1.2.5). */
export function derTime(date: Date): Buffer {
  const iso = date.toISOString(); // 2026-01-02T03:04:05.678Z
  const digits = iso.slice(0, 19).replace(/[-:T]/g, ''); // 20260102030405
  return date.getUTCFullYear() < 2050
    ? derTlv(TAG.utcTime, Buffer.from(`${digits.slice(2)}Z`, 'ascii'))
    : derTlv(TAG.generalizedTime, Buffer.from(`${digits}Z`, 'ascii'));
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return sequence(derOid(oid), ...(critical ? [derTlv(TAG.boolean, Buffer.from([0xff]))] : []), octetString(value));
}

function ipBytes(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split('.').map((part) => Number.parseInt(part, 10)));
  // IPv6: expand "::" and write eight 16-bit groups.
  const [head = '', tail = ''] = address.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = address.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  const out = Buffer.alloc(16);
  groups.forEach((group, index) => out.writeUInt16BE(Number.parseInt(group, 16), index * 2));
  return out;
}

function subjectAltNames(names: readonly string[]): Buffer {
  // GeneralName: [2] IMPLICIT IA5String dNSName, [7] IMPLICIT OCTET STRING iPAddress.
  const entries = names.map((name) =>
    isIP(name) === 0 ? derTlv(0x82, Buffer.from(name, 'ascii')) : derTlv(0x87, ipBytes(name)),
  );
  return sequence(...entries);
}

function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Creates a fresh ECDSA P-256 key and a self-signed certificate valid for the given names. */
export function createSelfSignedCertificate(options: CertificateOptions = {}): SelfSignedCertificate {
  const commonName = options.commonName ?? 'Spot-On local ARM emulator';
  const altNames = options.altNames ?? ['localhost', '127.0.0.1', '::1'];
  const now = (options.now ?? Date.now)();
  const validDays = options.validDays ?? 30;

  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // SubjectPublicKeyInfo ends with the BIT STRING of the 65-byte uncompressed EC point.
  const keyIdentifier = createHash('sha1').update(spki.subarray(spki.length - 65)).digest();

  const algorithm = sequence(derOid(OID.ecdsaWithSha256));
  const name = sequence(set(sequence(derOid(OID.commonName), derTlv(TAG.utf8String, Buffer.from(commonName, 'utf8')))));
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f; // positive

  const extensions = sequence(
    extension(OID.basicConstraints, true, sequence(derTlv(TAG.boolean, Buffer.from([0xff])))),
    // digitalSignature (bit 0) and keyCertSign (bit 5): 1000 0100, two unused trailing bits.
    extension(OID.keyUsage, true, bitString(Buffer.from([0x84]), 2)),
    extension(OID.extKeyUsage, false, sequence(derOid(OID.serverAuth))),
    extension(OID.subjectAltName, false, subjectAltNames(altNames)),
    extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier)),
  );

  const tbsCertificate = sequence(
    explicit(0, derUnsignedInteger(Buffer.from([2]))), // v3
    derUnsignedInteger(serial),
    algorithm,
    name,
    sequence(derTime(new Date(now - 60 * 60 * 1000)), derTime(new Date(now + validDays * 24 * 60 * 60 * 1000))),
    name,
    spki,
    explicit(3, extensions),
  );
  const signature = sign('sha256', tbsCertificate, privateKey); // DER ECDSA-Sig-Value
  const certificate = sequence(tbsCertificate, algorithm, bitString(signature));

  return {
    certPem: toPem('CERTIFICATE', certificate),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
