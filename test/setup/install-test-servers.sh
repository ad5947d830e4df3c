#!/usr/bin/env bash
# Installs the Python pieces the suite runs when they are missing: moto's server (the AWS
# APIs), pexpect (answers interactive prompts on a pty as a person would) and DuckDB (reads
# the S3 sink's Parquet objects back).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
if ! python3 - <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
import moto, flask_cors, pexpect, duckdb  # noqa: F401  (moto[server] brings flask_cors)
major, minor, patch = (int(x) for x in version("moto").split(".")[:3])
duck = tuple(int(x) for x in version("duckdb").split(".")[:2])
sys.exit(0 if (major, minor, patch) >= (5, 1, 17) and (2, 0) <= duck < (3, 0) else 1)
PY
then
  echo "installing the Python test servers and tools (moto[server], pexpect, duckdb) with pip"
  python3 -m pip install --quiet -r "$here/requirements.txt"
fi
