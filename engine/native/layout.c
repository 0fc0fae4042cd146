// Prints the sizes and field offsets of llama.h's structs for the Java binding, so that the binding
// follows the pinned llama.cpp instead of hard-coding one version's layout.
#include <stddef.h>
#include <stdio.h>
#include "llama.h"

#define SIZE(s) printf("%s.size=%zu\n%s.align=%zu\n", #s, sizeof(struct s), #s, _Alignof(struct s))
#define FIELD(s, f) printf("%s.%s=%zu\n", #s, #f, offsetof(struct s, f))

int main(void) {
  SIZE(llama_model_params);
  FIELD(llama_model_params, n_gpu_layers);
  FIELD(llama_model_params, load_mode);
  FIELD(llama_model_params, vocab_only);
  SIZE(llama_context_params);
  FIELD(llama_context_params, n_ctx);
  FIELD(llama_context_params, n_batch);
  FIELD(llama_context_params, n_ubatch);
  FIELD(llama_context_params, n_seq_max);
  FIELD(llama_context_params, n_threads);
  FIELD(llama_context_params, n_threads_batch);
  FIELD(llama_context_params, kv_unified);
  FIELD(llama_context_params, no_perf);
  FIELD(llama_context_params, flash_attn_type);
  FIELD(llama_context_params, swa_full);
  SIZE(llama_batch);
  FIELD(llama_batch, n_tokens);
  FIELD(llama_batch, token);
  FIELD(llama_batch, embd);
  FIELD(llama_batch, pos);
  FIELD(llama_batch, n_seq_id);
  FIELD(llama_batch, seq_id);
  FIELD(llama_batch, logits);
  SIZE(llama_sampler_chain_params);
  FIELD(llama_sampler_chain_params, no_perf);
  SIZE(llama_chat_message);
  SIZE(llama_perf_context_data);
  FIELD(llama_perf_context_data, t_p_eval_ms);
  FIELD(llama_perf_context_data, t_eval_ms);
  FIELD(llama_perf_context_data, n_p_eval);
  FIELD(llama_perf_context_data, n_eval);
  SIZE(llama_token_data);
  SIZE(llama_token_data_array);
  printf("llama_token.size=%zu\nllama_pos.size=%zu\nllama_seq_id.size=%zu\n",
         sizeof(llama_token), sizeof(llama_pos), sizeof(llama_seq_id));
  return 0;
}
