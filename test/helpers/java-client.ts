import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes a client.properties for Kafka's Java clients into `dir`: the CA as a PEM truststore and
 * Java's PEM keystore (the unencrypted PKCS#8 key followed by the certificate). Returns its path.
 * Written by hand, not by kfeed, so that Kafka's tools stay an independent check.
 */
export function writeJavaClientProperties(dir: string, tls: { ca: string; cert: string; key: string }): string {
  const keystore = path.join(dir, 'client-keystore.pem');
  fs.writeFileSync(keystore, fs.readFileSync(tls.key, 'utf8') + fs.readFileSync(tls.cert, 'utf8'), { mode: 0o600 });
  const properties = path.join(dir, 'client.properties');
  fs.writeFileSync(
    properties,
    [
      'security.protocol=SSL',
      'ssl.truststore.type=PEM',
      `ssl.truststore.location=${tls.ca}`,
      'ssl.keystore.type=PEM',
      `ssl.keystore.location=${keystore}`,
      '',
    ].join('\n'),
  );
  return properties;
}
