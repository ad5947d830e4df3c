import crypto from 'node:crypto';

/**
 * SigV4 query signing of `GET https://HOST/?...` written from AWS's documentation, for tests:
 * it checks the signer's tokens and makes tokens the signer cannot (dated in the past).
 */
function hmac(key: crypto.BinaryLike, text: string): Buffer {
  return crypto.createHmac('sha256', key).update(text).digest();
}

const encode = (v: string) =>
  encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function canonicalQuery(params: Record<string, string>): string {
  return Object.entries(params)
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [encode(k), encode(v)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

export const EMPTY_PAYLOAD_HASH = crypto.createHash('sha256').update('').digest('hex');

export function sigV4QuerySignature(
  host: string,
  params: Record<string, string>,
  secret: string,
  payloadHash = EMPTY_PAYLOAD_HASH,
): string {
  const canonical = ['GET', '/', canonicalQuery(params), `host:${host}`, '', 'host', payloadHash].join('\n');
  const [, date, region, service] = params['X-Amz-Credential'].split('/');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = [
    'AWS4-HMAC-SHA256',
    params['X-Amz-Date'],
    scope,
    crypto.createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  let key = hmac(`AWS4${secret}`, date);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  return hmac(key, toSign).toString('hex');
}

/** An MSK IAM token (base64url presigned URL) signed at `signedAt`, as the signer would make it then. */
export function mskIamToken(options: {
  accessKeyId: string;
  secret: string;
  region: string;
  signedAt: Date;
  expiresSeconds?: number;
}): string {
  const host = `kafka.${options.region}.amazonaws.com`;
  const amzDate = options.signedAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const params: Record<string, string> = {
    Action: 'kafka-cluster:Connect',
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${options.accessKeyId}/${amzDate.slice(0, 8)}/${options.region}/kafka-cluster/aws4_request`,
    'X-Amz-Date': amzDate,
    'X-Amz-Expires': String(options.expiresSeconds ?? 900),
    'X-Amz-SignedHeaders': 'host',
  };
  params['X-Amz-Signature'] = sigV4QuerySignature(host, params, options.secret);
  const query = Object.entries(params)
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .join('&');
  return Buffer.from(`https://${host}/?${query}`, 'utf8').toString('base64url');
}
