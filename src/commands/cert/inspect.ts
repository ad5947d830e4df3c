import path from 'node:path';
import type { CertificateInfo } from '../../certs/inspect.js';
import { readUserFile } from '../../config/files.js';
import { colors } from '../../render/color.js';
import { defineCommand } from '../command.js';

export interface CertInspectResult {
  certificate: CertificateInfo;
  /** The certificates that follow it in the file (its chain), nearest first. */
  chain: CertificateInfo[];
}

export default defineCommand<{ file: string }, CertInspectResult>({
  name: 'inspect',
  summary: 'show subject, issuer, SANs, validity, key, fingerprint and the Kafka principal of a certificate',
  args: [{ key: 'file', syntax: '<file>', description: 'PEM certificate (a chain file shows every certificate)' }],
  run: async (ctx, { file }) => {
    const { inspectCertificateFile } = await import('../../certs/inspect.js');
    const text = readUserFile(path.resolve(ctx.cwd, file), 'certificate');
    const [certificate, ...chain] = inspectCertificateFile(text, file);
    return { certificate, chain };
  },
  // A single certificate prints as itself, as it always has; a chain file as both parts.
  json: (result) => (result.chain.length === 0 ? result.certificate : result),
  render: ({ certificate: leaf, chain }, view) => {
    const color = colors(view.colorful);
    const validity = leaf.expired
      ? color.red(`EXPIRED ${-leaf.daysLeft} days ago`)
      : leaf.notYetValid
        ? color.yellow('not yet valid')
        : `${leaf.daysLeft} days left`;
    return [
      `subject       ${leaf.subject}`,
      `issuer        ${leaf.issuer}${leaf.selfSigned ? ' (self-signed)' : ''}`,
      `SANs          ${leaf.sans.length ? leaf.sans.join(', ') : '(none)'}`,
      `valid         ${leaf.notBefore} to ${leaf.notAfter} (${validity})`,
      `key           ${leaf.key.label}`,
      `serial        ${leaf.serialNumber}`,
      `SHA-256       ${leaf.fingerprintSha256}`,
      `usage         ${[leaf.isCa ? 'CA' : 'end entity', ...leaf.extendedKeyUsage].join(', ')}`,
      `principal     ${leaf.principal}`,
      ...chain.map((c, i) => `chain ${i + 1}       ${c.subject} (until ${c.notAfter.slice(0, 10)})`),
    ].join('\n');
  },
});
