import { KfeedError, type ExitCodeName } from '../errors.js';

interface AwsErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const DENIED = new Set([
  'AccessDeniedException',
  'ForbiddenException',
  'UnauthorizedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidAccessKeyId',
]);
const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'RateExceeded',
]);
const NOT_FOUND = new Set([
  'ResourceNotFoundException',
  'NotFoundException',
  'NoSuchBucket',
  'NoSuchKey',
  'RequestFailedException',
]);
const BAD_INPUT = new Set([
  'InvalidArnException',
  'ValidationException',
  'InvalidRequestException',
  'InvalidArgsException',
  'InvalidParameterException',
  'MalformedCSRException',
  'InvalidParameterValueException',
]);

/**
 * Turns what an AWS SDK v3 call threw into one KfeedError line: `what` says what kfeed was
 * doing ("issuing the certificate"). Errors that are already KfeedErrors pass through. The one
 * translator for every AWS service kfeed calls (Private CA, MSK, S3).
 */
export function translateAwsError(error: unknown, what: string, endpoint?: string): KfeedError {
  if (error instanceof KfeedError) return error;
  const e = (error ?? {}) as AwsErrorShape & { cause?: { code?: string } };
  const name = e.name ?? e.code ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  // Answers without a body (HEAD requests such as S3's HeadBucket) carry only their status.
  const bodyless = (name === 'Unknown' || name === 'NotFound' || name === 'Forbidden') && status !== undefined;
  const message = bodyless ? `HTTP ${status}` : (e.message ?? String(error)).replace(/\s+/g, ' ').trim();
  const make = (kind: ExitCodeName, text: string, hint: string) => new KfeedError(kind, text, { hint, cause: error });

  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return make(
      'config',
      `${what} failed: no AWS credentials found`,
      'set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or run `aws sso login`',
    );
  }
  if (/Region is missing/i.test(message))
    return make('config', `${what} failed: no AWS region set`, 'pass --region or set AWS_REGION');
  if (DENIED.has(name) || (bodyless && status === 403))
    return make('denied', `${what} was denied by AWS: ${message}`, 'check the IAM permissions of your credentials');
  if (THROTTLED.has(name))
    return make(
      'aws',
      `${what} was throttled by AWS (${name}), even after retries`,
      'wait a little and run the command again',
    );
  if (NOT_FOUND.has(name) || (bodyless && status === 404))
    return make('notFound', `${what} failed: ${message}`, 'check the ARN or name, and the region');
  if (BAD_INPUT.has(name)) return make('usage', `${what} failed: ${message}`, 'check the arguments');
  // MSK answers BadRequest for requests that are well formed but refused in the cluster's state.
  if (name === 'BadRequestException') {
    return make('aws', `${what}: AWS refused the request: ${message}`, 'check the arguments');
  }
  if (name === 'ConflictException') {
    return make('conflict', `${what} failed: ${message}`, 'wait for the running operation to finish, then retry');
  }
  const network = e.code ?? e.cause?.code;
  if (network && /^(ECONNREFUSED|ENOTFOUND|ECONNRESET|ETIMEDOUT|EAI_AGAIN|EHOSTUNREACH)$/.test(network)) {
    return make(
      'connection',
      `${what} failed: cannot reach the AWS endpoint${endpoint ? ` ${endpoint}` : ''} (${network})`,
      'check the network, --endpoint-url and --region',
    );
  }
  if (name === 'TimeoutError')
    return make('connection', `${what} timed out talking to AWS`, 'check the network and run the command again');
  return make('aws', `${what} failed: ${name}: ${message}`, 'rerun with --debug for details');
}
