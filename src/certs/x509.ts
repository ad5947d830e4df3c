// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata
// API; the polyfill must be evaluated before the library, hence this one entry point.
import 'reflect-metadata';
import crypto from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(crypto.webcrypto as never);

export { x509 };
