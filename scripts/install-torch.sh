#!/usr/bin/env bash
# Install the CPU build of torch into a virtualenv, never the multi-GB CUDA build.
#
#   scripts/install-torch.sh .venv/bin/python
#
# PyPI's Linux wheels of torch bundle CUDA; the CPU build lives on the PyTorch CPU index
# (versions labelled "+cpu"). In order:
#   1. the CPU build already installed: nothing to do;
#   2. macOS and Windows: PyPI's wheel is the CPU build;
#   3. Linux: "torch==VERSION+cpu" from the sources pip is configured with (a wheelhouse
#      in PIP_FIND_LINKS, a mirror of the CPU index): the "+cpu" pin can never match
#      PyPI's CUDA wheel, so when no source has it this fails in a second, offline too;
#   4. Linux: the PyTorch CPU index (TORCH_CPU_INDEX), only if it answers within 10 s;
#   5. otherwise stop with what to do (no fallback to the CUDA build).
set -euo pipefail

PY=${1:?usage: install-torch.sh PATH/TO/python}
VERSION=${TORCH_VERSION:-2.13.0}
INDEX=${TORCH_CPU_INDEX:-https://download.pytorch.org/whl/cpu}

installed=$("$PY" -c 'import importlib.metadata as m; print(m.version("torch"))' 2>/dev/null || true)
if [[ "$installed" == "$VERSION+cpu" ]]; then
  exit 0
fi

if [[ "$(uname -s)" != Linux ]]; then
  [[ "$installed" == "$VERSION" ]] && exit 0
  exec "$PY" -m pip install --quiet "torch==$VERSION"
fi

if "$PY" -m pip install --quiet "torch==$VERSION+cpu" 2>/dev/null; then
  echo "install-torch: torch $VERSION+cpu from the configured package sources"
  exit 0
fi

if "$PY" - "$INDEX" <<'PYTHON'
import sys
import urllib.request

try:
    urllib.request.urlopen(sys.argv[1].rstrip("/") + "/torch/", timeout=10).close()
except Exception:
    sys.exit(1)
PYTHON
then
  echo "install-torch: torch $VERSION+cpu from $INDEX"
  exec "$PY" -m pip install --quiet "torch==$VERSION+cpu" --extra-index-url "$INDEX"
fi

cat >&2 <<MESSAGE
install-torch: no source offers torch $VERSION+cpu and $INDEX is out of reach.
  Put the wheel (torch-$VERSION+cpu-…-linux_x86_64.whl) in a folder named by PIP_FIND_LINKS,
  or point TORCH_CPU_INDEX at a mirror of the PyTorch CPU index, then run make again.
  (Installing plain torch==$VERSION here would pull the multi-GB CUDA build.)
MESSAGE
exit 1
