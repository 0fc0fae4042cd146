#!/usr/bin/env python3
"""Trains inferd's default model: a small Llama-architecture transformer on the KJV Bible.

The model is exactly what llama.cpp's "llama" architecture computes, so the weights export to GGUF
unchanged (export_gguf.py): token embedding, N blocks of (RMSNorm, attention with rotary position
embeddings on adjacent pairs of each head -- llama.cpp's "normal" RoPE -- and grouped-query
attention, RMSNorm, SwiGLU feed-forward), a final RMSNorm and an output projection tied to the
embedding.

One CPU thread, fixed seed, fixed number of steps: the same command gives the same weights.
Reads out/train.bin and out/val.bin from prepare_corpus.py; writes out/model.pt, out/config.json
and out/log.csv (step, tokens, train loss, val loss, elapsed seconds).
"""

import argparse
import json
import math
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one thread, before numpy/torch load BLAS
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Config:
    def __init__(self, **kw):
        self.vocab_size = 2048
        self.dim = 256
        self.n_layers = 6
        self.n_heads = 8
        self.n_kv_heads = 4
        self.ffn_dim = 704
        self.context = 256
        self.rope_theta = 10000.0
        self.norm_eps = 1e-5
        self.__dict__.update(kw)

    @property
    def head_dim(self):
        return self.dim // self.n_heads


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(cfg, length):
    inv = 1.0 / (cfg.rope_theta ** (torch.arange(0, cfg.head_dim, 2).float() / cfg.head_dim))
    angles = torch.outer(torch.arange(length).float(), inv)  # (T, head_dim/2)
    return angles.cos(), angles.sin()


def apply_rope(x, cos, sin):
    """Rotates adjacent pairs (x[2i], x[2i+1]) of each head, as ggml's rope mode 0 does."""
    b, h, t, d = x.shape
    x = x.view(b, h, t, d // 2, 2)
    x0, x1 = x[..., 0], x[..., 1]
    c, s = cos[:t], sin[:t]
    return torch.stack((x0 * c - x1 * s, x0 * s + x1 * c), dim=-1).view(b, h, t, d)


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        hd = cfg.head_dim
        self.attn_norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.wq = nn.Linear(cfg.dim, cfg.n_heads * hd, bias=False)
        self.wk = nn.Linear(cfg.dim, cfg.n_kv_heads * hd, bias=False)
        self.wv = nn.Linear(cfg.dim, cfg.n_kv_heads * hd, bias=False)
        self.wo = nn.Linear(cfg.n_heads * hd, cfg.dim, bias=False)
        self.ffn_norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.w_gate = nn.Linear(cfg.dim, cfg.ffn_dim, bias=False)
        self.w_up = nn.Linear(cfg.dim, cfg.ffn_dim, bias=False)
        self.w_down = nn.Linear(cfg.ffn_dim, cfg.dim, bias=False)

    def forward(self, x, cos, sin, mask):
        cfg = self.cfg
        b, t, _ = x.shape
        h = self.attn_norm(x)
        q = self.wq(h).view(b, t, cfg.n_heads, cfg.head_dim).transpose(1, 2)
        k = self.wk(h).view(b, t, cfg.n_kv_heads, cfg.head_dim).transpose(1, 2)
        v = self.wv(h).view(b, t, cfg.n_kv_heads, cfg.head_dim).transpose(1, 2)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        rep = cfg.n_heads // cfg.n_kv_heads
        k = k.repeat_interleave(rep, dim=1)  # query head i reads kv head i // rep, as llama.cpp
        v = v.repeat_interleave(rep, dim=1)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(cfg.head_dim))
        att = att.masked_fill(mask[:t, :t], float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, cfg.dim)
        x = x + self.wo(y)
        h = self.ffn_norm(x)
        return x + self.w_down(F.silu(self.w_gate(h)) * self.w_up(h))


class Llama(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.dim)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers))
        self.norm = RMSNorm(cfg.dim, cfg.norm_eps)
        cos, sin = rope_tables(cfg, cfg.context)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        mask = torch.triu(torch.ones(cfg.context, cfg.context, dtype=torch.bool), diagonal=1)
        self.register_buffer("mask", mask, persistent=False)
        self.apply(self._init)
        for blk in self.blocks:  # GPT-2 style scaled init of the residual projections
            for w in (blk.wo.weight, blk.w_down.weight):
                nn.init.normal_(w, std=0.02 / math.sqrt(2 * cfg.n_layers))

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)

    def forward(self, idx):
        x = self.embed(idx)
        for blk in self.blocks:
            x = blk(x, self.cos, self.sin, self.mask)
        return self.norm(x) @ self.embed.weight.t()  # output weight tied to the embedding


def batches(data, starts, rng, batch, length):
    """Windows of length+1 tokens that begin at a line start, each with <s> first."""
    idx = rng.choice(starts, size=batch)
    rows = []
    for i in idx:
        w = data[i : i + length + 1]
        if w[0] != 1:
            w = np.concatenate(([1], data[i : i + length]))
        if len(w) < length + 1:
            w = np.concatenate((w, np.full(length + 1 - len(w), 2, dtype=w.dtype)))
        rows.append(w.astype(np.int64))
    xy = torch.from_numpy(np.stack(rows))
    return xy[:, :-1], xy[:, 1:]


def line_starts(data, newline_id, bos_id=1):
    """Positions where a chapter or a verse begins (after <s> or after the newline byte)."""
    prev = np.concatenate(([bos_id], data[:-1]))
    return np.nonzero((data == bos_id) | (prev == newline_id))[0]


@torch.no_grad()
def evaluate(model, data, starts, length, windows, seed):
    model.eval()
    rng = np.random.default_rng(seed)  # the same windows at every evaluation
    losses = []
    for _ in range(windows // 8):
        x, y = batches(data, starts, rng, 8, length)
        losses.append(F.cross_entropy(model(x).flatten(0, 1), y.flatten()).item())
    model.train()
    return float(np.mean(losses))


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--data", default=os.path.join(here, "out"))
    ap.add_argument("--out", default=os.path.join(here, "out"))
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--min-lr", type=float, default=1e-4)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--eval-windows", type=int, default=64)
    ap.add_argument("--seed", type=int, default=1611)
    ap.add_argument("--dim", type=int, default=256)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--heads", type=int, default=8)
    ap.add_argument("--kv-heads", type=int, default=4)
    ap.add_argument("--ffn", type=int, default=704)
    ap.add_argument("--context", type=int, default=256)
    ap.add_argument("--bench", type=int, default=0, help="time this many steps and exit")
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=os.path.join(args.data, "kjv.model"))
    newline_id = sp.piece_to_id("<0x0A>")
    train = np.fromfile(os.path.join(args.data, "train.bin"), dtype=np.uint16)
    val = np.fromfile(os.path.join(args.data, "val.bin"), dtype=np.uint16)
    train_starts, val_starts = line_starts(train, newline_id), line_starts(val, newline_id)

    cfg = Config(
        vocab_size=sp.vocab_size(),
        dim=args.dim,
        n_layers=args.layers,
        n_heads=args.heads,
        n_kv_heads=args.kv_heads,
        ffn_dim=args.ffn,
        context=args.context,
    )
    model = Llama(cfg)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {n_params / 1e6:.2f}M parameters, {vars(cfg)}", flush=True)

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0}],
        lr=args.lr,
        betas=(0.9, 0.95),
    )

    def lr_at(step):
        if step < args.warmup:
            return args.lr * (step + 1) / args.warmup
        progress = (step - args.warmup) / max(1, args.steps - args.warmup)
        return args.min_lr + 0.5 * (args.lr - args.min_lr) * (1 + math.cos(math.pi * progress))

    os.makedirs(args.out, exist_ok=True)
    log = None if args.bench else open(os.path.join(args.out, "log.csv"), "w")
    if log:
        log.write("step,tokens,train_loss,val_loss,seconds\n")
    start = time.time()
    running = []
    steps = args.bench or args.steps
    for step in range(steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        x, y = batches(train, train_starts, rng, args.batch, cfg.context)
        loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        running.append(loss.item())
        last = step + 1 == steps
        if args.bench:
            if step == 1:
                t0 = time.time()
            continue
        if (step + 1) % args.eval_every == 0 or last:
            tl = float(np.mean(running))
            running = []
            vl = evaluate(model, val, val_starts, cfg.context, args.eval_windows, args.seed)
            el = time.time() - start
            tokens = (step + 1) * args.batch * cfg.context
            log.write(f"{step + 1},{tokens},{tl:.4f},{vl:.4f},{el:.0f}\n")
            log.flush()
            print(
                f"step {step + 1}/{steps} lr {lr_at(step):.2e} train {tl:.4f} val {vl:.4f} "
                f"tokens {tokens} {el:.0f}s",
                flush=True,
            )
        if (step + 1) % 250 == 0 or last:
            torch.save(model.state_dict(), os.path.join(args.out, "model.pt"))
            with open(os.path.join(args.out, "config.json"), "w") as f:
                json.dump(
                    dict(vars(cfg), params=n_params, steps=step + 1, batch=args.batch,
                         seconds=round(time.time() - start), seed=args.seed), f, indent=1)
    if args.bench:
        dt = (time.time() - t0) / (steps - 2)
        print(f"{dt:.3f}s/step, {args.batch * cfg.context / dt:.0f} tokens/s")


if __name__ == "__main__":
    main()
