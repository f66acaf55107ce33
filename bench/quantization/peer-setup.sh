#!/usr/bin/env bash
# Bench-only: a Python virtual environment holding onnxruntime's own quantizer (the peer column of
# bench/quantization). Never a runtime dependency of the service. The onnxruntime version is the one
# onnxruntime-node uses, so both sides quantize with the same operator set and time on the same kernels.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
version="$(node -p "require('$here/../../node_modules/onnxruntime-node/package.json').version")"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
if ! "$venv/bin/python" -c "import onnxruntime, sympy, sys; sys.exit(0 if onnxruntime.__version__ == '$version' else 1)" 2>/dev/null; then
  "$venv/bin/pip" install --retries 0 --quiet "onnxruntime==$version" numpy onnx sympy
fi
"$venv/bin/python" -c "import onnxruntime; print('peer: onnxruntime', onnxruntime.__version__, 'in', '$venv')"
