import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/registry.js';
import { expectFailure } from '../helpers/assert.js';
import { tempDir } from '../helpers/env.js';
import { BIN, kfeed } from '../helpers/run.js';

/**
 * Drives bash's own completion machinery: the generated script is sourced, COMP_WORDS and
 * COMP_CWORD are set as bash sets them, and COMPREPLY is what bash would offer.
 */
describe('kfeed completion bash', () => {
  const config = tempDir('kfeed-completion-');
  const env = { XDG_CONFIG_HOME: config };
  let script = '';
  let shims = '';

  beforeAll(async () => {
    const generated = await kfeed(['completion', 'bash'], { env });
    expect(generated.stderr).toBe('');
    expect(generated.code).toBe(0);
    script = path.join(config, 'kfeed.bash');
    fs.writeFileSync(script, generated.stdout);
    // The script asks `kfeed` for profile names: put the built binary on PATH as `kfeed`.
    shims = tempDir('kfeed-bin-');
    fs.writeFileSync(path.join(shims, 'kfeed'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, {
      mode: 0o755,
    });
    for (const name of ['prod-eu', 'prod-us', 'staging']) {
      expect((await kfeed(['profile', 'add', name, '--brokers', 'b-1.example.com:9094'], { env })).code).toBe(0);
    }
  });

  /** What bash offers for the line `words` with the cursor in the last word. */
  function complete(words: string[], cwd = config): string[] {
    const line = ['kfeed', ...words];
    const program = [
      `source ${JSON.stringify(script)}`,
      `COMP_WORDS=(${line.map((w) => `'${w}'`).join(' ')})`,
      `COMP_CWORD=${line.length - 1}`,
      '_kfeed',
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join('\n');
    const result = spawnSync('bash', ['--norc', '--noprofile', '-c', program], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, ...env, PATH: `${shims}:${process.env.PATH}` },
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return result.stdout.split('\n').filter(Boolean).sort();
  }

  it('offers every visible command of the registry, and no hidden one', () => {
    const visible = COMMANDS.filter((c) => !c.hidden)
      .map((c) => c.name)
      .sort();
    expect(complete([''])).toEqual(visible);
    expect(complete(['list-'])).toEqual([]);
    expect(complete(['to'])).toEqual(['topic']);
  });

  it('offers the verbs of a noun, then the flags of the verb with the global ones', () => {
    expect(complete(['topic', ''])).toEqual(['create', 'delete', 'describe', 'list']);
    expect(complete(['acl', 'r'])).toEqual(['revoke']);
    const flags = complete(['topic', 'create', 'prices', '--']);
    expect(flags).toEqual(
      expect.arrayContaining([
        '--partitions',
        '--replication-factor',
        '--config',
        '--profile',
        '--json',
        '--debug',
        '--help',
      ]),
    );
    expect(flags).not.toContain('--version');
    expect(complete(['topic', 'create', '--part'])).toEqual(['--partitions']);
    // A hidden old name is still understood: its flags complete.
    expect(complete(['list-topics', '--pro'])).toEqual(['--profile']);
  });

  it('offers the choices of a flag, after a space or an equals sign', () => {
    expect(complete(['local', 'up', '--mode', ''])).toEqual(['kraft', 'zookeeper']);
    expect(complete(['local', 'up', '--mode', 'z'])).toEqual(['zookeeper']);
    expect(complete(['local', 'up', '--mode=k'])).toEqual(['--mode=kraft']);
    expect(complete(['completion', ''])).toEqual(['bash', 'fish', 'zsh']);
  });

  it('offers the profile names where a flag or an argument takes one', () => {
    expect(complete(['topic', 'list', '--profile', ''])).toEqual(['prod-eu', 'prod-us', 'staging']);
    expect(complete(['consume', '--profile', 'prod-'])).toEqual(['prod-eu', 'prod-us']);
    expect(complete(['profile', 'use', 's'])).toEqual(['staging']);
  });

  it('a flag that takes a value swallows the next word; files complete where a file is wanted', () => {
    const dir = tempDir('kfeed-files-');
    fs.writeFileSync(path.join(dir, 'client.csr'), '');
    fs.writeFileSync(path.join(dir, 'ca.pem'), '');
    // `--profile prod-eu` is one flag: the word after it is still the first argument.
    expect(complete(['profile', 'show', '--profile', 'prod-eu', 's'])).toEqual(['staging']);
    expect(complete(['profile', 'show', 'prod-eu', 's'])).toEqual([]);
    expect(complete(['topic', 'list', '--ca', 'c'], dir)).toEqual(['ca.pem', 'client.csr']);
    expect(complete(['issuecert', 'cl'], dir)).toEqual(['client.csr']);
  });

  it('asks for a shell it knows', async () => {
    expectFailure(await kfeed(['completion', 'tcsh']), 2, /value 'tcsh' is invalid .* bash, zsh, fish/);
    expectFailure(await kfeed(['completion']), 2, /which shell\? name one of bash, zsh, fish/);
  });

  it('zsh reuses the same completion through bashcompinit; fish gets its own complete lines', async () => {
    const zsh = await kfeed(['completion', 'zsh']);
    expect(zsh.stdout).toMatch(/^#compdef kfeed\n/);
    expect(zsh.stdout).toContain('bashcompinit');
    expect(zsh.stdout).toContain('complete -o default -F _kfeed kfeed');
    const fish = await kfeed(['completion', 'fish']);
    expect(fish.code).toBe(0);
    expect(fish.stdout).toContain("complete -c kfeed -n 'test (__kfeed_path) = '\\'''\\''' -a 'topic'");
    expect(fish.stdout).toContain("-l 'mode' -x -a 'kraft zookeeper'");
    expect(fish.stdout).toContain("-l 'profile' -x -a '(kfeed completion --profile-names 2>/dev/null)'");
  });
});
