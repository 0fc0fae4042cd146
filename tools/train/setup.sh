#!/usr/bin/env bash
# Installs what tools/train needs: the KJV text and its reader (Debian's bible-kjv), PyTorch 1.13.1
# (Debian's python3-torch, CPU only) with OpenBLAS, and the pinned PyPI packages in .venv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
apt-get update -qq
apt-get install -y -qq bible-kjv bible-kjv-text python3-torch python3-numpy python3-venv libopenblas0-pthread
/usr/bin/python3 -m venv --system-site-packages .venv
.venv/bin/pip install -q -r requirements.txt
.venv/bin/python -c 'import torch, sentencepiece, gguf, matplotlib; print("torch", torch.__version__)'
