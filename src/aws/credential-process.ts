import { exec } from 'node:child_process';
import { KfeedError } from '../errors.js';
import type { CredentialSource } from './credentials-source.js';

/**
 * A profile's `credential_process` prints JSON (`Version` 1, `AccessKeyId`, `SecretAccessKey`,
 * `SessionToken`, `Expiration`). When what it prints has expired, the SDK's default chain drops
 * that reason and ends with "Could not load credentials from any providers"; these say why.
 */

/** Why a credential_process's output gives no usable credentials, from what it printed; undefined when it does. */
export function credentialProcessProblem(
  stdout: string,
  now: number,
): { expiredAt: Date } | { invalid: string } | undefined {
  let data: { Version?: unknown; AccessKeyId?: unknown; SecretAccessKey?: unknown; Expiration?: unknown };
  try {
    data = JSON.parse(stdout.trim()) as typeof data;
  } catch {
    return { invalid: 'did not print JSON' };
  }
  if (data === null || typeof data !== 'object') return { invalid: 'did not print a JSON object' };
  if (data.Version !== 1) return { invalid: 'did not print Version 1' };
  if (typeof data.AccessKeyId !== 'string' || typeof data.SecretAccessKey !== 'string') {
    return { invalid: 'printed no AccessKeyId and SecretAccessKey' };
  }
  if (data.Expiration === undefined) return undefined;
  const expiredAt = new Date(String(data.Expiration));
  if (Number.isNaN(expiredAt.getTime()))
    return { invalid: `printed an unreadable Expiration "${String(data.Expiration)}"` };
  return expiredAt.getTime() <= now ? { expiredAt } : undefined;
}

/** The one line for what `credentialProcessProblem` found, naming where the credentials come from. */
export function credentialProcessError(
  problem: NonNullable<ReturnType<typeof credentialProcessProblem>>,
  source: string,
): KfeedError {
  if ('expiredAt' in problem) {
    return new KfeedError('config', `the AWS credentials expired at ${problem.expiredAt.toISOString()} (${source})`, {
      hint: 'renew what the credential_process reads (its session or token) and run again',
    });
  }
  return new KfeedError('config', `the ${source} ${problem.invalid}`, {
    hint: 'run the command by hand: it must print AWS credentials as JSON with "Version": 1',
  });
}

/**
 * After the default chain found nothing: when the credentials come from a credential_process,
 * runs it once more and returns what is wrong with its output (or that it failed to run).
 */
export async function explainCredentialProcess(
  source: CredentialSource,
  now = Date.now,
): Promise<KfeedError | undefined> {
  if (source.kind !== 'process' || !source.command) return undefined;
  const output = await new Promise<{ stdout: string; failure?: string }>((resolve) => {
    exec(source.command!, { timeout: 30_000, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      const firstLine = String(stderr).trim().split('\n')[0];
      resolve({ stdout: String(stdout), failure: error ? firstLine || error.message.split('\n')[0] : undefined });
    });
  });
  if (output.failure !== undefined) {
    return new KfeedError('config', `the ${source.description} failed: ${output.failure}`, {
      hint: 'run the command by hand to see why',
    });
  }
  const problem = credentialProcessProblem(output.stdout, now());
  return problem ? credentialProcessError(problem, source.description) : undefined;
}
