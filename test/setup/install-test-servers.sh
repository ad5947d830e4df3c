#!/usr/bin/env bash
# Installs the Python test servers the suite starts (moto, for the AWS APIs) when missing.
set -euo pipefail
if ! python3 -c 'import moto, flask_cors' 2>/dev/null || ! python3 - <<'PY'
import sys
from importlib.metadata import version
major, minor, patch = (int(x) for x in version("moto").split(".")[:3])
sys.exit(0 if (major, minor, patch) >= (5, 1, 17) else 1)
PY
then
  echo "installing moto[server] (AWS API test server) with pip"
  python3 -m pip install --quiet "moto[server]>=5.1.17"
fi
