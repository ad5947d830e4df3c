import fs from 'node:fs';
import path from 'node:path';
import { KfeedError } from '../errors.js';

/**
 * Writes a file so that readers never see it half-written: the bytes go to a temporary file
 * beside it, which is then renamed over the target. `exclusive` refuses to replace an
 * existing file (private keys are never silently overwritten).
 */
export function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: { mode?: number; exclusive?: boolean } = {},
): void {
  const mode = options.mode ?? 0o644;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (options.exclusive && fs.existsSync(file)) {
    throw new KfeedError('conflict', `${file} already exists`, {
      hint: 'move it away or pass --force to replace it',
    });
  }
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(temp, data, { mode, flag: 'wx' });
    fs.chmodSync(temp, mode); // the umask may have narrowed or widened what `mode` asked for
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/** Reads a file the user named, turning "no such file" into a one-line KfeedError. */
export function readUserFile(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new KfeedError('config', `${what} ${file} does not exist`, { hint: 'check the path' });
    }
    if (code === 'EACCES') {
      throw new KfeedError('config', `${what} ${file} is not readable`, { hint: 'check its permissions' });
    }
    if (code === 'EISDIR') {
      throw new KfeedError('config', `${what} ${file} is a directory`, { hint: 'name a file' });
    }
    throw error;
  }
}
