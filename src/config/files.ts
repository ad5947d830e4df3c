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
  makeDirectory(path.dirname(file));
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

/**
 * Makes `dir` and its missing parents, one mkdir per level, and returns the folders it made
 * (outermost first). Not `mkdirSync(dir, { recursive: true })`: Node's native loop retries for
 * ever where mkdir answers ENOENT under a parent that exists (as under /proc), blocking the
 * event loop so that not even SIGTERM gets through. Here each level is tried once.
 */
export function makeDirectory(dir: string, options: { hint?: string } = {}): string[] {
  const hint = options.hint ?? 'choose a folder you can write to';
  const missing: string[] = [];
  // Walk up to the first thing that exists; bounded by the depth of the path.
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const stat = statIfAny(current);
    if (stat) {
      if (!stat.isDirectory())
        throw new KfeedError('config', `cannot create folder ${dir}: ${current} is not a folder`, { hint });
      break;
    }
    missing.unshift(current);
    if (path.dirname(current) === current) break;
  }
  for (const level of missing) {
    try {
      fs.mkdirSync(level);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statIfAny(level)?.isDirectory()) continue; // made by someone else meanwhile
      throw new KfeedError('config', `cannot create folder ${level} (${code ?? (error as Error).message})`, { hint });
    }
  }
  return missing;
}

function statIfAny(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new KfeedError('config', `cannot read ${file} (${code ?? (error as Error).message})`, {
      hint: 'check its permissions',
    });
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
