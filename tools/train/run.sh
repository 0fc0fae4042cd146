#!/usr/bin/env bash
# Rebuilds models/inferd-kjv-5m.gguf from scratch: corpus + tokenizer, training (one CPU thread,
# fixed seed), export, loss curve and word list. Run setup.sh once first.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
models="$here/../../models"
py="$here/.venv/bin/python"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
"$py" "$here/prepare_corpus.py"
"$py" "$here/train.py" 2>&1 | tee "$here/out/train.log"
"$py" "$here/export_gguf.py" --output "$models/inferd-kjv-5m.gguf"
"$py" "$here/plot_loss.py" --output "$models/loss.png"
cp "$here/out/words.txt" "$models/kjv-words.txt"
