#!/usr/bin/env python3
"""Builds the training corpus and the tokenizer for inferd's default model.

Reads the King James Version from Debian's `bible-kjv-text` package through the `bible` program of
the `bible-kjv` package (apt-get install bible-kjv), writes one verse per line, holds out every 25th
chapter for validation, trains a SentencePiece BPE vocabulary with byte fallback, and writes the
token ids of both splits.

Outputs (under --out, default tools/train/out):
  kjv.txt                 every verse, one per line, chapters separated by a blank line
  train.txt / val.txt     the two splits, same format
  kjv.model / kjv.vocab   the SentencePiece tokenizer
  train.bin / val.bin     uint16 token ids; each chapter is <s> verse\\nverse\\n...verse </s>
  words.txt               every distinct word of the corpus (lower case, letters only), sorted
"""

import argparse
import os
import re
import subprocess

import numpy as np
import sentencepiece as spm

VAL_EVERY_CHAPTER = 25
VOCAB_SIZE = 2048
SEED = 1611


def read_chapters():
    """Returns [(title, [verse, ...]), ...] for the whole Bible, in order."""
    raw = subprocess.run(
        ["bible", "-l0", "gen1:1-rev22:21"], check=True, capture_output=True, text=True
    ).stdout
    chapters = []
    verse_re = re.compile(r"^\s+(\d+) (.*)$")
    for line in raw.splitlines():
        if not line.strip():
            continue
        m = verse_re.match(line)
        if m:
            chapters[-1][1].append(m.group(2).strip())
        else:
            chapters.append((line.strip(), []))
    return chapters


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "out"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    chapters = read_chapters()
    verses = sum(len(v) for _, v in chapters)
    assert len(chapters) == 1189 and verses == 31102, (len(chapters), verses)
    train = [v for i, (_, v) in enumerate(chapters) if (i + 1) % VAL_EVERY_CHAPTER != 0]
    val = [v for i, (_, v) in enumerate(chapters) if (i + 1) % VAL_EVERY_CHAPTER == 0]
    for name, split in (("kjv", [v for _, v in chapters]), ("train", train), ("val", val)):
        with open(os.path.join(args.out, name + ".txt"), "w") as f:
            f.write("\n\n".join("\n".join(ch) for ch in split) + "\n")

    words = sorted(
        {w for _, ch in chapters for v in ch for w in re.findall(r"[a-z]+", v.lower())}
    )
    with open(os.path.join(args.out, "words.txt"), "w") as f:
        f.write("\n".join(words) + "\n")

    # The tokenizer sees training verses only. No dummy prefix ("add_space_prefix = false" in the
    # GGUF): a word at the start of a line has no leading "▁" here, exactly as llama.cpp tokenizes
    # the text after a newline, so training and serving split text the same way.
    spm.SentencePieceTrainer.train(
        input=os.path.join(args.out, "train.txt"),
        model_prefix=os.path.join(args.out, "kjv"),
        model_type="bpe",
        vocab_size=VOCAB_SIZE,
        character_coverage=1.0,
        byte_fallback=True,
        split_digits=True,
        add_dummy_prefix=False,
        remove_extra_whitespaces=False,
        normalization_rule_name="identity",
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        seed_sentencepiece_size=1000000,
        num_threads=1,
        minloglevel=2,
    )
    sp = spm.SentencePieceProcessor(model_file=os.path.join(args.out, "kjv.model"))
    assert sp.vocab_size() <= 65535
    for name, split in (("train", train), ("val", val)):
        ids = []
        for ch in split:
            ids.append(sp.bos_id())
            ids.extend(sp.encode("\n".join(ch)))
            ids.append(sp.eos_id())
        arr = np.array(ids, dtype=np.uint16)
        arr.tofile(os.path.join(args.out, name + ".bin"))
        chars = sum(len("\n".join(ch)) for ch in split)
        print(f"{name}: {len(split)} chapters, {len(arr)} tokens, {chars / len(arr):.2f} chars/token")
    print(f"vocab: {sp.vocab_size()} pieces, {len(words)} distinct words in the corpus")


if __name__ == "__main__":
    main()
