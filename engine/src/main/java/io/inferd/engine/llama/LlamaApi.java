package io.inferd.engine.llama;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

/**
 * Downcall handles for the part of llama.h that inferd uses, resolved once when this class
 * initialises (which loads the library). Structs passed by value are laid out from the build's own
 * {@code layout.properties}: above 16 bytes the x86-64 and AArch64 ABIs pass them in memory, so
 * their size and alignment are what matter; fields are written at the offsets the build reported.
 */
final class LlamaApi {
  private LlamaApi() {}

  static final LlamaLibrary LIB = LlamaLibrary.get();

  static final StructLayout MODEL_PARAMS = opaque("llama_model_params");
  static final StructLayout CONTEXT_PARAMS = opaque("llama_context_params");
  static final StructLayout BATCH = opaque("llama_batch");
  static final StructLayout PERF_CONTEXT = opaque("llama_perf_context_data");
  static final StructLayout CHAIN_PARAMS =
      MemoryLayout.structLayout(JAVA_BOOLEAN.withName("no_perf"));

  static final MethodHandle model_default_params =
      h("llama_model_default_params", FunctionDescriptor.of(MODEL_PARAMS));
  static final MethodHandle context_default_params =
      h("llama_context_default_params", FunctionDescriptor.of(CONTEXT_PARAMS));
  static final MethodHandle model_load_from_file =
      h("llama_model_load_from_file", FunctionDescriptor.of(ADDRESS, ADDRESS, MODEL_PARAMS));
  static final MethodHandle model_free = h("llama_model_free", FunctionDescriptor.ofVoid(ADDRESS));
  static final MethodHandle init_from_model =
      h("llama_init_from_model", FunctionDescriptor.of(ADDRESS, ADDRESS, CONTEXT_PARAMS));
  static final MethodHandle free = h("llama_free", FunctionDescriptor.ofVoid(ADDRESS));
  static final MethodHandle model_get_vocab =
      h("llama_model_get_vocab", FunctionDescriptor.of(ADDRESS, ADDRESS));
  static final MethodHandle model_n_ctx_train =
      h("llama_model_n_ctx_train", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  static final MethodHandle model_n_layer =
      h("llama_model_n_layer", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  static final MethodHandle model_has_encoder =
      h("llama_model_has_encoder", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
  static final MethodHandle model_is_recurrent =
      h("llama_model_is_recurrent", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
  static final MethodHandle model_meta_val_str =
      h(
          "llama_model_meta_val_str",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
  static final MethodHandle model_desc =
      h("llama_model_desc", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
  static final MethodHandle model_n_params =
      h("llama_model_n_params", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
  static final MethodHandle supports_gpu_offload =
      h("llama_supports_gpu_offload", FunctionDescriptor.of(JAVA_BOOLEAN));

  static final MethodHandle vocab_n_tokens =
      h("llama_vocab_n_tokens", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  static final MethodHandle vocab_bos =
      h("llama_vocab_bos", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  static final MethodHandle vocab_eos =
      h("llama_vocab_eos", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  static final MethodHandle vocab_is_eog =
      h("llama_vocab_is_eog", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT));
  static final MethodHandle vocab_get_add_bos =
      h("llama_vocab_get_add_bos", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
  static final MethodHandle tokenize =
      h(
          "llama_tokenize",
          FunctionDescriptor.of(
              JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_BOOLEAN, JAVA_BOOLEAN));
  static final MethodHandle token_to_piece =
      h(
          "llama_token_to_piece",
          FunctionDescriptor.of(
              JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_BOOLEAN));
  static final MethodHandle detokenize =
      h(
          "llama_detokenize",
          FunctionDescriptor.of(
              JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_BOOLEAN, JAVA_BOOLEAN));

  static final MethodHandle batch_init =
      h("llama_batch_init", FunctionDescriptor.of(BATCH, JAVA_INT, JAVA_INT, JAVA_INT));
  static final MethodHandle batch_free = h("llama_batch_free", FunctionDescriptor.ofVoid(BATCH));
  static final MethodHandle decode =
      h("llama_decode", FunctionDescriptor.of(JAVA_INT, ADDRESS, BATCH));
  static final MethodHandle get_memory =
      h("llama_get_memory", FunctionDescriptor.of(ADDRESS, ADDRESS));
  static final MethodHandle memory_seq_rm =
      h(
          "llama_memory_seq_rm",
          FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
  static final MethodHandle get_logits_ith =
      h("llama_get_logits_ith", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
  static final MethodHandle n_ctx = h("llama_n_ctx", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  static final MethodHandle perf_context =
      h("llama_perf_context", FunctionDescriptor.of(PERF_CONTEXT, ADDRESS));

  static final MethodHandle sampler_chain_init =
      h("llama_sampler_chain_init", FunctionDescriptor.of(ADDRESS, CHAIN_PARAMS));
  static final MethodHandle sampler_chain_add =
      h("llama_sampler_chain_add", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
  static final MethodHandle sampler_init_greedy =
      h("llama_sampler_init_greedy", FunctionDescriptor.of(ADDRESS));
  static final MethodHandle sampler_init_dist =
      h("llama_sampler_init_dist", FunctionDescriptor.of(ADDRESS, JAVA_INT));
  static final MethodHandle sampler_init_top_k =
      h("llama_sampler_init_top_k", FunctionDescriptor.of(ADDRESS, JAVA_INT));
  static final MethodHandle sampler_init_top_p =
      h("llama_sampler_init_top_p", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT, JAVA_LONG));
  static final MethodHandle sampler_init_min_p =
      h("llama_sampler_init_min_p", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT, JAVA_LONG));
  static final MethodHandle sampler_init_temp =
      h("llama_sampler_init_temp", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT));
  static final MethodHandle sampler_init_penalties =
      h(
          "llama_sampler_init_penalties",
          FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT));
  static final MethodHandle sampler_init_grammar =
      h("llama_sampler_init_grammar", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
  static final MethodHandle sampler_sample =
      h("llama_sampler_sample", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
  static final MethodHandle sampler_apply =
      h("llama_sampler_apply", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
  static final MethodHandle sampler_accept =
      h("llama_sampler_accept", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
  static final MethodHandle sampler_free =
      h("llama_sampler_free", FunctionDescriptor.ofVoid(ADDRESS));

  private static MethodHandle h(String name, FunctionDescriptor descriptor) {
    return LIB.handle(name, descriptor);
  }

  /** A struct of the build's size and alignment, its fields reached by offset. */
  private static StructLayout opaque(String struct) {
    long size = LIB.layout(struct + ".size");
    long align = LIB.layout(struct + ".align");
    if (align != 8 || size % 8 != 0) {
      throw new IllegalStateException(
          struct + ": size " + size + ", alignment " + align + " (expected: 8-byte aligned)");
    }
    return MemoryLayout.structLayout(MemoryLayout.sequenceLayout(size / 8, JAVA_LONG))
        .withName(struct);
  }

  /**
   * Calls {@code free}, a void function of one pointer or struct, on {@code value}; a failure names
   * {@code function}.
   */
  static void free(MethodHandle free, MemorySegment value, String function) {
    try {
      free.invokeExact(value);
    } catch (Throwable e) {
      throw new IllegalStateException(function, e);
    }
  }

  static long offset(String field) {
    return LIB.layout(field);
  }
}
