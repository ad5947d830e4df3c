import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { motoS3, startMoto, type Moto } from './moto.js';

/**
 * One moto server for the calling test file: started before its tests, stopped after them.
 * The fields are set once the file's tests run.
 */
export function motoForFile(): { moto: Moto; s3: S3Client } {
  const shared = {} as { moto: Moto; s3: S3Client };
  beforeAll(async () => {
    shared.moto = await startMoto();
    shared.s3 = motoS3(shared.moto);
  });
  afterAll(async () => {
    await shared.moto?.stop();
  });
  return shared;
}
