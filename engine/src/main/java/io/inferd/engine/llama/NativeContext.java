package io.inferd.engine.llama;

import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.inferd.engine.FlashAttention;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/**
 * A llama.cpp context: the KV memory of {@code sequences} sequences of {@code cellsPerSequence}
 * tokens each. Not thread-safe: one decode-loop thread owns it.
 */
final class NativeContext implements AutoCloseable {
  private final MemorySegment context;
  private final MemorySegment memory;
  private final int vocabSize;
  private boolean closed;

  private NativeContext(MemorySegment context, MemorySegment memory, int vocabSize) {
    this.context = context;
    this.memory = memory;
    this.vocabSize = vocabSize;
  }

  static NativeContext create(
      NativeModel model,
      int sequences,
      int cellsPerSequence,
      int batchSize,
      int threads,
      FlashAttention flashAttention) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment p =
          (MemorySegment) LlamaApi.context_default_params.invokeExact((SegmentAllocator) arena);
      p.set(JAVA_INT, LlamaApi.offset("llama_context_params.n_ctx"), sequences * cellsPerSequence);
      p.set(JAVA_INT, LlamaApi.offset("llama_context_params.n_batch"), batchSize);
      p.set(JAVA_INT, LlamaApi.offset("llama_context_params.n_ubatch"), batchSize);
      p.set(JAVA_INT, LlamaApi.offset("llama_context_params.n_seq_max"), sequences);
      p.set(JAVA_INT, LlamaApi.offset("llama_context_params.n_threads"), threads);
      p.set(JAVA_INT, LlamaApi.offset("llama_context_params.n_threads_batch"), threads);
      p.set(JAVA_BOOLEAN, LlamaApi.offset("llama_context_params.no_perf"), false);
      p.set(
          JAVA_INT,
          LlamaApi.offset("llama_context_params.flash_attn_type"),
          switch (flashAttention) { // llama.h's enum llama_flash_attn_type
            case AUTO -> -1;
            case OFF -> 0;
            case ON -> 1;
          });
      // A KV stream per sequence, as llama-server runs with -np: attention spans only a sequence's
      // own cells. With one unified buffer every token attends over every cached cell (idle slots'
      // too): 87% of llama-server at 1 stream and 80% at 16 (docs/bench/PEERS-unified-kv.md). The
      // decode loop keeps each step's sequences in consecutive ids, which a split batch needs to
      // stay one ubatch.
      p.set(JAVA_BOOLEAN, LlamaApi.offset("llama_context_params.kv_unified"), false);
      MemorySegment ctx = (MemorySegment) LlamaApi.init_from_model.invokeExact(model.pointer(), p);
      if (ctx.equals(MemorySegment.NULL)) {
        throw new IllegalStateException(
            "llama.cpp could not create a context of "
                + sequences
                + " x "
                + cellsPerSequence
                + " tokens (out of memory? try a smaller --context or --parallel)");
      }
      MemorySegment memory = (MemorySegment) LlamaApi.get_memory.invokeExact(ctx);
      return new NativeContext(ctx, memory, model.vocabSize());
    } catch (RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("llama_init_from_model", e);
    }
  }

  MemorySegment pointer() {
    return context;
  }

  int size() {
    try {
      return (int) LlamaApi.n_ctx.invokeExact(context);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs the model over {@code batch}: 0 on success, llama_decode's code otherwise. */
  int decode(Batch batch) {
    try {
      return (int) LlamaApi.decode.invokeExact(context, batch.struct());
    } catch (Throwable e) {
      throw new IllegalStateException("llama_decode", e);
    }
  }

  /** Forgets positions {@code from} and later of {@code sequence} (-1: all of them). */
  void forget(int sequence, int from) {
    try {
      boolean ok = (boolean) LlamaApi.memory_seq_rm.invokeExact(memory, sequence, from, -1);
      if (!ok && from > 0) { // a partial removal can fail; the whole sequence never does
        boolean all = (boolean) LlamaApi.memory_seq_rm.invokeExact(memory, sequence, -1, -1);
        if (!all) {
          throw new IllegalStateException("llama_memory_seq_rm(" + sequence + ") failed");
        }
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("llama_memory_seq_rm", e);
    }
  }

  /** The logits of the {@code i}-th token of the last batch (it must have asked for them). */
  MemorySegment logits(int i) {
    try {
      MemorySegment p = (MemorySegment) LlamaApi.get_logits_ith.invokeExact(context, i);
      if (p.equals(MemorySegment.NULL)) {
        throw new IllegalStateException("no logits for batch index " + i);
      }
      return p.reinterpret((long) vocabSize * Float.BYTES);
    } catch (RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("llama_get_logits_ith", e);
    }
  }

  /** llama.cpp's own counters: prompt tokens and ms, generated tokens and ms. */
  Timings timings() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment d =
          (MemorySegment) LlamaApi.perf_context.invokeExact((SegmentAllocator) arena, context);
      return new Timings(
          d.get(JAVA_INT, LlamaApi.offset("llama_perf_context_data.n_p_eval")),
          d.get(JAVA_DOUBLE, LlamaApi.offset("llama_perf_context_data.t_p_eval_ms")),
          d.get(JAVA_INT, LlamaApi.offset("llama_perf_context_data.n_eval")),
          d.get(JAVA_DOUBLE, LlamaApi.offset("llama_perf_context_data.t_eval_ms")));
    } catch (RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("llama_perf_context", e);
    }
  }

  int vocabSize() {
    return vocabSize;
  }

  static float logit(MemorySegment logits, int token) {
    return logits.getAtIndex(JAVA_FLOAT, token);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    LlamaApi.free(LlamaApi.free, context, "llama_free");
  }

  record Timings(
      int promptTokens, double promptMillis, int generatedTokens, double generatedMillis) {}
}
