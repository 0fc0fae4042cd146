#!/usr/bin/env python3
"""Generates text from the PyTorch checkpoint (out/model.pt), to compare with what llama.cpp makes
of the exported GGUF: with --greedy both must produce the same tokens.

  .venv/bin/python sample.py --greedy --tokens 40 "And God said"
"""

import argparse
import json
import os

import sentencepiece as spm
import torch

from train import Config, Llama


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("prompt")
    ap.add_argument("--data", default=os.path.join(here, "out"))
    ap.add_argument("--tokens", type=int, default=60)
    ap.add_argument("--temperature", type=float, default=0.8)
    ap.add_argument("--greedy", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)

    with open(os.path.join(args.data, "config.json")) as f:
        c = json.load(f)
    cfg = Config(**{k: c[k] for k in vars(Config()).keys()})
    model = Llama(cfg)
    model.load_state_dict(torch.load(os.path.join(args.data, "model.pt"), map_location="cpu"))
    model.eval()
    sp = spm.SentencePieceProcessor(model_file=os.path.join(args.data, "kjv.model"))
    ids = [sp.bos_id()] + sp.encode(args.prompt)
    print("prompt tokens:", ids)
    out = []
    with torch.no_grad():
        for _ in range(args.tokens):
            logits = model(torch.tensor([ids[-cfg.context:]]))[0, -1]
            if args.greedy:
                nxt = int(logits.argmax())
            else:
                nxt = int(torch.multinomial((logits / args.temperature).softmax(-1), 1))
            if nxt == sp.eos_id():
                break
            ids.append(nxt)
            out.append(nxt)
    print("tokens:", out)
    print(repr(args.prompt + sp.decode(out)))


if __name__ == "__main__":
    main()
