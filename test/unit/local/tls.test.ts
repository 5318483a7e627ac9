import { X509Certificate } from 'node:crypto';
import { createLocalCertificate } from '../../../local/tls';

describe('createLocalCertificate', () => {
  it('is a self-signed CA certificate for the given names and addresses', async () => {
    const before = Date.now();
    const { certPem, keyPem } = await createLocalCertificate('Spot-On test', ['localhost', '127.0.0.1', '::1'], 2);
    const certificate = new X509Certificate(certPem);
    expect({
      subject: certificate.subject,
      subjectAltName: certificate.subjectAltName,
      ca: certificate.ca,
      selfIssued: certificate.checkIssued(certificate),
      selfSigned: certificate.verify(certificate.publicKey),
      host: certificate.checkHost('localhost'),
      ip: certificate.checkIP('127.0.0.1'),
    }).toStrictEqual({
      subject: 'CN=Spot-On test',
      subjectAltName: 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
      ca: true,
      selfIssued: true,
      selfSigned: true,
      host: 'localhost',
      ip: '127.0.0.1',
    });
    const lifetime = new Date(certificate.validTo).getTime() - before;
    expect(lifetime).toBeGreaterThan(2 * 24 * 3600 * 1000 - 60_000);
    expect(lifetime).toBeLessThan(2 * 24 * 3600 * 1000 + 60_000);
    expect(keyPem).toMatch(/-----BEGIN (EC )?PRIVATE KEY-----/);
  });
});
