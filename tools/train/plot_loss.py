#!/usr/bin/env python3
"""Draws out/log.csv (train and validation loss per step) to a PNG."""

import argparse
import csv
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", default=os.path.join(here, "out", "log.csv"))
    ap.add_argument("--output", required=True)
    args = ap.parse_args()
    with open(args.log) as f:
        rows = list(csv.DictReader(f))
    steps = [int(r["step"]) for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    ax.plot(steps, [float(r["train_loss"]) for r in rows], label="train (mean over the last steps)")
    ax.plot(steps, [float(r["val_loss"]) for r in rows], label="validation (held-out chapters)")
    ax.set_xlabel("step (16 x 256 tokens)")
    ax.set_ylabel("cross-entropy (nats per token)")
    ax.set_title("inferd-kjv: training on the KJV Bible, 1 CPU thread")
    ax.grid(alpha=0.3)
    ax.legend()
    last = rows[-1]
    ax.annotate(
        f"final: train {float(last['train_loss']):.2f}, val {float(last['val_loss']):.2f}",
        xy=(steps[-1], float(last["val_loss"])),
        xytext=(-170, 40),
        textcoords="offset points",
        arrowprops=dict(arrowstyle="->"),
    )
    fig.tight_layout()
    fig.savefig(args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
