/**
 * Self-signed TLS certificates for the local cloud's HTTPS servers (ARM emulator, cluster API, Functions host).
 * The Azure SDK refuses bearer tokens over plain http and the EKS adapter trusts only the cluster CA, so these
 * servers speak HTTPS; clients trust the returned PEM (`tlsOptions.ca`, `ca`, or NODE_EXTRA_CA_CERTS).
 */
import { isIP } from 'node:net';
import { generate } from 'selfsigned';

export interface LocalCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

/** A CA-capable, self-signed ECDSA P-256 certificate for the given host names and IP addresses. */
export async function createLocalCertificate(
  commonName: string,
  altNames: readonly string[] = ['localhost', '127.0.0.1', '::1'],
  validDays = 30,
): Promise<LocalCertificate> {
  const notBeforeDate = new Date();
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + validDays * 24 * 60 * 60 * 1000),
    extensions: [
      // Its own trust anchor: clients pass this very certificate as their CA.
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...new Set(altNames)].map((name) => (isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name })),
      },
    ],
  });
  return { certPem: pems.cert, keyPem: pems.private };
}
