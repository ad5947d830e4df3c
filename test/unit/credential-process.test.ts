import { describe, expect, it } from 'vitest';
import { credentialProcessError, credentialProcessProblem } from '../../src/aws/credential-process.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const good = { Version: 1, AccessKeyId: 'AKIAPROCESS000000001', SecretAccessKey: 's', SessionToken: 't' };
const printed = (data: unknown) => `${JSON.stringify(data)}\n`;

describe('what a credential_process printed: why it gives no credentials', () => {
  it('expired: names the time it expired; a future or absent Expiration is fine', () => {
    expect(credentialProcessProblem(printed({ ...good, Expiration: '2026-06-01T11:59:59Z' }), NOW)).toEqual({
      expiredAt: new Date('2026-06-01T11:59:59Z'),
    });
    // The exact instant counts as expired, as the SDK's own check does one millisecond later.
    expect(credentialProcessProblem(printed({ ...good, Expiration: '2026-06-01T12:00:00Z' }), NOW)).toEqual({
      expiredAt: new Date(NOW),
    });
    expect(credentialProcessProblem(printed({ ...good, Expiration: '2026-06-01T12:00:01Z' }), NOW)).toBeUndefined();
    expect(credentialProcessProblem(printed(good), NOW)).toBeUndefined();
  });

  it('output that is not AWS credentials: says what is missing', () => {
    expect(credentialProcessProblem('not json', NOW)).toEqual({ invalid: 'did not print JSON' });
    expect(credentialProcessProblem('null', NOW)).toEqual({ invalid: 'did not print a JSON object' });
    expect(credentialProcessProblem('"AKIA..."', NOW)).toEqual({ invalid: 'did not print a JSON object' });
    expect(credentialProcessProblem(printed({ ...good, Version: 2 }), NOW)).toEqual({
      invalid: 'did not print Version 1',
    });
    expect(credentialProcessProblem(printed({ Version: 1, AccessKeyId: 'A' }), NOW)).toEqual({
      invalid: 'printed no AccessKeyId and SecretAccessKey',
    });
    expect(credentialProcessProblem(printed({ Version: 1, SecretAccessKey: 's' }), NOW)).toEqual({
      invalid: 'printed no AccessKeyId and SecretAccessKey',
    });
    expect(credentialProcessProblem(printed({ ...good, Expiration: 'soon' }), NOW)).toEqual({
      invalid: 'printed an unreadable Expiration "soon"',
    });
  });

  it('one line each, exit 3, naming the source', () => {
    const source = 'credential_process of profile "proc" in /h/.aws/config';
    const expired = credentialProcessError({ expiredAt: new Date('2020-01-01T00:00:00Z') }, source);
    expect(expired.line).toBe(
      'the AWS credentials expired at 2020-01-01T00:00:00.000Z (credential_process of profile "proc" in /h/.aws/config) — renew what the credential_process reads (its session or token) and run again',
    );
    expect(expired.exitCode).toBe(3);
    const invalid = credentialProcessError({ invalid: 'did not print JSON' }, source);
    expect(invalid.line).toMatch(
      /^the credential_process of profile "proc" in \/h\/\.aws\/config did not print JSON — /,
    );
    expect(invalid.exitCode).toBe(3);
  });
});
