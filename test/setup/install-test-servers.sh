#!/usr/bin/env bash
# Installs the Python pieces the suite runs when they are missing: moto's server (the AWS
# APIs) and pexpect (answers interactive prompts on a pty as a person would).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
if ! python3 - <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
import moto, flask_cors, pexpect  # noqa: F401  (moto[server] brings flask_cors)
major, minor, patch = (int(x) for x in version("moto").split(".")[:3])
sys.exit(0 if (major, minor, patch) >= (5, 1, 17) else 1)
PY
then
  echo "installing the Python test servers (moto[server], pexpect) with pip"
  python3 -m pip install --quiet -r "$here/requirements.txt"
fi
