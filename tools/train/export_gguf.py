#!/usr/bin/env python3
"""Exports the trained model (out/model.pt + out/config.json + out/kjv.model) to a GGUF file that
llama.cpp loads as an ordinary "llama" model: 2-D weights in F16, norms in F32, the SentencePiece
vocabulary as tokenizer.ggml.model = "llama", and a plain-text chat template.
"""

import argparse
import json
import os

import gguf
import numpy as np
import sentencepiece as spm
import torch

# A base model continues text, so the "chat template" just lays the conversation out as lines of
# text: each message's content (system first), one per line. When the last message ends a sentence
# the prompt ends with a newline, so the model answers with a verse of its own; otherwise (e.g.
# "And God said") the model continues that very sentence.
CHAT_TEMPLATE = (
    "{%- for message in messages -%}"
    "{%- if not loop.first %}{{ '\\n' }}{% endif -%}"
    "{{- message['content'] | trim -}}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt and messages | length > 0"
    " and (messages[-1]['content'] | trim)[-1:] in ['.', '?', '!', ':', ';'] -%}"
    "{{- '\\n' -}}"
    "{%- endif -%}"
)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(here, "out"))
    ap.add_argument("--output", required=True, help="the .gguf file to write")
    ap.add_argument("--name", default="inferd-kjv")
    ap.add_argument(
        "--no-chat-template",
        action="store_true",
        help="leave tokenizer.chat_template out: inferd then joins the messages with newlines itself",
    )
    args = ap.parse_args()

    with open(os.path.join(args.data, "config.json")) as f:
        cfg = json.load(f)
    state = torch.load(os.path.join(args.data, "model.pt"), map_location="cpu")
    sp = spm.SentencePieceProcessor(model_file=os.path.join(args.data, "kjv.model"))
    assert sp.vocab_size() == cfg["vocab_size"]

    w = gguf.GGUFWriter(args.output, "llama")
    w.add_name(args.name)
    w.add_description(
        "inferd's default model: a small Llama-architecture base model trained from scratch on the"
        " King James Version of the Bible. It continues text in archaic English; it is not an"
        " assistant and knows nothing."
    )
    w.add_license("public-domain")
    w.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    w.add_context_length(cfg["context"])
    w.add_embedding_length(cfg["dim"])
    w.add_block_count(cfg["n_layers"])
    w.add_feed_forward_length(cfg["ffn_dim"])
    w.add_head_count(cfg["n_heads"])
    w.add_head_count_kv(cfg["n_kv_heads"])
    w.add_rope_dimension_count(cfg["dim"] // cfg["n_heads"])
    w.add_rope_freq_base(cfg["rope_theta"])
    w.add_layer_norm_rms_eps(cfg["norm_eps"])
    w.add_vocab_size(cfg["vocab_size"])

    tokens, scores, types = [], [], []
    for i in range(sp.vocab_size()):
        tokens.append(sp.id_to_piece(i).encode("utf-8"))
        scores.append(sp.get_score(i))
        if sp.is_unknown(i):
            types.append(gguf.TokenType.UNKNOWN)
        elif sp.is_control(i):
            types.append(gguf.TokenType.CONTROL)
        elif sp.is_byte(i):
            types.append(gguf.TokenType.BYTE)
        else:
            types.append(gguf.TokenType.NORMAL)
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_unk_token_id(sp.unk_id())
    w.add_bos_token_id(sp.bos_id())
    w.add_eos_token_id(sp.eos_id())
    w.add_add_bos_token(True)
    w.add_add_eos_token(False)
    # The tokenizer was trained without a dummy prefix (see prepare_corpus.py).
    w.add_add_space_prefix(False)
    if not args.no_chat_template:
        # llama.cpp renders it only with Jinja on (ModelParameters.enableJinja()); without Jinja it
        # does not recognise this template and falls back to ChatML.
        w.add_chat_template(CHAT_TEMPLATE)

    def f16(t):
        return t.detach().to(torch.float32).numpy().astype(np.float16)

    def f32(t):
        return t.detach().to(torch.float32).numpy()

    # torch Linear weights are (out, in): GGUF stores them as ne = (in, out), what llama.cpp wants.
    w.add_tensor("token_embd.weight", f16(state["embed.weight"]))
    w.add_tensor("output_norm.weight", f32(state["norm.weight"]))
    w.add_tensor("output.weight", f16(state["embed.weight"]))  # tied in training
    names = {
        "attn_norm.weight": "attn_norm.weight",
        "wq.weight": "attn_q.weight",
        "wk.weight": "attn_k.weight",
        "wv.weight": "attn_v.weight",
        "wo.weight": "attn_output.weight",
        "ffn_norm.weight": "ffn_norm.weight",
        "w_gate.weight": "ffn_gate.weight",
        "w_up.weight": "ffn_up.weight",
        "w_down.weight": "ffn_down.weight",
    }
    for i in range(cfg["n_layers"]):
        for ours, theirs in names.items():
            t = state[f"blocks.{i}.{ours}"]
            w.add_tensor(f"blk.{i}.{theirs}", f32(t) if t.dim() == 1 else f16(t))

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    print(f"wrote {args.output}: {os.path.getsize(args.output) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
