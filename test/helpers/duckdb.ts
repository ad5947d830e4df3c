import { spawn } from 'node:child_process';

/**
 * Runs SQL in DuckDB (PyPI's `duckdb`, installed by test/setup/install-test-servers.sh): the
 * reader the suite checks kfeed's Parquet objects with, written by other people than the
 * writer. Statements run in order in one in-memory database; the last one's rows come back
 * as objects. Integers beyond 2^53 come back as strings (JSON numbers would round them).
 */
export async function duckdb(sql: string, options: { cwd?: string } = {}): Promise<Array<Record<string, unknown>>> {
  const script = `
import json, sys
try:
    import duckdb
except ImportError:
    sys.exit("duckdb is required: pip install -r test/requirements.txt")
con = duckdb.connect()
cursor = con.execute(sys.stdin.read())
names = [d[0] for d in cursor.description]
def plain(v):
    if isinstance(v, bool) or v is None: return v
    if isinstance(v, int): return v if abs(v) < 2**53 else str(v)
    if isinstance(v, float) or isinstance(v, str): return v
    if isinstance(v, (list, tuple)): return [plain(x) for x in v]
    if isinstance(v, dict): return {str(k): plain(x) for k, x in v.items()}
    return str(v)
print(json.dumps([{n: plain(v) for n, v in zip(names, row)} for row in cursor.fetchall()]))
`;
  const child = spawn('python3', ['-c', script], { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(sql);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`DuckDB failed (exit ${code}): ${stderr.trim()}\n--- SQL:\n${sql}`);
  return JSON.parse(stdout) as Array<Record<string, unknown>>;
}
