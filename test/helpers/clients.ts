import fs from 'node:fs';
import path from 'node:path';
import {
  generateRsaKeyPem,
  issueWithLocalCa,
  loadLocalCa,
  publicKeyOf,
  type SubjectFields,
} from '../../src/certs/local-ca.js';
import { kafkaPrincipalOfCertificate } from '../../src/certs/principal.js';
import { tempDir } from './env.js';

export interface TestClient {
  cert: string;
  key: string;
  principal: string;
  /** Connection flags that make kfeed connect as this client. */
  flags: string[];
}

/**
 * A client certificate signed by a local cluster's CA (`caFile`, beside its ca-key.pem), with
 * no ACLs: what a new subscriber presents before anyone grants it anything.
 */
export async function clientCertificate(
  caFile: string,
  subject: SubjectFields,
  dir = tempDir('kfeed-client-'),
): Promise<TestClient> {
  const ca = loadLocalCa(path.dirname(caFile));
  const key = generateRsaKeyPem(2048);
  const { certificatePem } = await issueWithLocalCa(ca, {
    publicKeyPem: publicKeyOf(key),
    subject,
    days: 1,
    usage: 'client',
  });
  const files = { cert: path.join(dir, 'client.pem'), key: path.join(dir, 'client-key.pem') };
  fs.writeFileSync(files.cert, certificatePem + ca.certPem);
  fs.writeFileSync(files.key, key, { mode: 0o600 });
  return {
    ...files,
    principal: kafkaPrincipalOfCertificate(certificatePem),
    flags: ['--cert', files.cert, '--key', files.key],
  };
}
