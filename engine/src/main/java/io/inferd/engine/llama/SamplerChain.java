package io.inferd.engine.llama;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.inferd.engine.Sampling;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * llama.cpp's sampler chain for one generation: penalties, top-k, top-p, min-p, temperature, then a
 * seeded draw (or greedy at temperature 0), plus an optional GBNF grammar kept apart from the chain
 * so that a grammar which admits no token ends the generation instead of reaching llama.cpp's
 * abort. Used by the decode-loop thread only, after construction.
 */
final class SamplerChain implements AutoCloseable {
  /** {@link #sample} found no token the grammar allows. */
  static final int GRAMMAR_DEAD_END = -1;

  private static final long TOKEN_DATA_SIZE = 12; // {int id; float logit; float p;}
  private static final int LLAMA_DEFAULT_SEED = 0xFFFFFFFF;

  private final MemorySegment chain;
  private final MemorySegment grammar; // NULL without one
  private final int vocabSize;
  private final Arena arena = Arena.ofShared();
  private MemorySegment candidates; // llama_token_data[vocab], for the grammar path
  private MemorySegment candidateArray; // llama_token_data_array
  private boolean closed;

  private SamplerChain(MemorySegment chain, MemorySegment grammar, int vocabSize) {
    this.chain = chain;
    this.grammar = grammar;
    this.vocabSize = vocabSize;
  }

  /**
   * @throws IllegalArgumentException when llama.cpp cannot parse the grammar
   */
  static SamplerChain create(NativeModel model, Sampling sampling) {
    MemorySegment grammar = MemorySegment.NULL;
    MemorySegment chain = MemorySegment.NULL;
    try (Arena arena = Arena.ofConfined()) {
      if (sampling.grammar().isPresent()) {
        String gbnf = sampling.grammar().get();
        Gbnf.check(gbnf);
        grammar =
            (MemorySegment)
                LlamaApi.sampler_init_grammar.invokeExact(
                    model.vocab(), arena.allocateFrom(gbnf), arena.allocateFrom("root"));
        if (grammar.equals(MemorySegment.NULL)) {
          throw new IllegalArgumentException(
              "grammar: llama.cpp could not parse it (expected: GBNF with a root rule)");
        }
      }
      MemorySegment params = arena.allocate(LlamaApi.CHAIN_PARAMS);
      params.set(JAVA_BOOLEAN, 0, true);
      chain = (MemorySegment) LlamaApi.sampler_chain_init.invokeExact(params);
      if (sampling.hasPenalties()) {
        add(
            chain,
            (MemorySegment)
                LlamaApi.sampler_init_penalties.invokeExact(
                    model.vocabSize(),
                    sampling.penaltyLastN(),
                    sampling.repetitionPenalty(),
                    sampling.frequencyPenalty(),
                    sampling.presencePenalty()));
      }
      if (sampling.temperature() <= 0f) {
        add(chain, (MemorySegment) LlamaApi.sampler_init_greedy.invokeExact());
      } else {
        if (sampling.topK() > 0) {
          add(chain, (MemorySegment) LlamaApi.sampler_init_top_k.invokeExact(sampling.topK()));
        }
        if (sampling.topP() < 1f) {
          add(chain, (MemorySegment) LlamaApi.sampler_init_top_p.invokeExact(sampling.topP(), 1L));
        }
        if (sampling.minP() > 0f) {
          add(chain, (MemorySegment) LlamaApi.sampler_init_min_p.invokeExact(sampling.minP(), 1L));
        }
        add(chain, (MemorySegment) LlamaApi.sampler_init_temp.invokeExact(sampling.temperature()));
        int seed = sampling.seed().orElse(LLAMA_DEFAULT_SEED);
        add(chain, (MemorySegment) LlamaApi.sampler_init_dist.invokeExact(seed));
      }
      return new SamplerChain(chain, grammar, model.vocabSize());
    } catch (RuntimeException e) {
      free(chain);
      free(grammar);
      throw e;
    } catch (Throwable e) {
      free(chain);
      free(grammar);
      throw new IllegalStateException("creating the sampler chain", e);
    }
  }

  private static void add(MemorySegment chain, MemorySegment sampler) throws Throwable {
    LlamaApi.sampler_chain_add.invokeExact(chain, sampler); // the chain owns it from here
  }

  private static void free(MemorySegment sampler) {
    if (!sampler.equals(MemorySegment.NULL)) {
      try {
        LlamaApi.sampler_free.invokeExact(sampler);
      } catch (Throwable ignored) {
        // freeing after a failed construction: nothing more to do
      }
    }
  }

  /**
   * Picks (and records, for penalties and the grammar) the next token from batch output {@code i}.
   */
  int sample(NativeContext context, int i) {
    try {
      if (grammar.equals(MemorySegment.NULL)) {
        return (int) LlamaApi.sampler_sample.invokeExact(chain, context.pointer(), i);
      }
      return sampleWithGrammar(context.logits(i));
    } catch (RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("sampling", e);
    }
  }

  private int sampleWithGrammar(MemorySegment logits) throws Throwable {
    if (candidates == null) {
      candidates = arena.allocate(TOKEN_DATA_SIZE * vocabSize, 4);
      candidateArray = arena.allocate(32, 8);
    }
    for (int t = 0; t < vocabSize; t++) {
      long at = t * TOKEN_DATA_SIZE;
      candidates.set(JAVA_INT, at, t);
      candidates.set(JAVA_FLOAT, at + 4, logits.getAtIndex(JAVA_FLOAT, t));
      candidates.set(JAVA_FLOAT, at + 8, 0f);
    }
    candidateArray.set(ADDRESS, 0, candidates);
    candidateArray.set(JAVA_LONG, 8, vocabSize);
    candidateArray.set(JAVA_LONG, 16, -1L);
    candidateArray.set(JAVA_BOOLEAN, 24, false);
    LlamaApi.sampler_apply.invokeExact(grammar, candidateArray);
    if (!anyAllowed()) {
      return GRAMMAR_DEAD_END;
    }
    LlamaApi.sampler_apply.invokeExact(chain, candidateArray);
    long selected = candidateArray.get(JAVA_LONG, 16);
    long size = candidateArray.get(JAVA_LONG, 8);
    MemorySegment data = candidateArray.get(ADDRESS, 0).reinterpret(TOKEN_DATA_SIZE * size);
    if (selected < 0 || selected >= size) {
      return GRAMMAR_DEAD_END;
    }
    int token = data.get(JAVA_INT, selected * TOKEN_DATA_SIZE);
    float logit = data.get(JAVA_FLOAT, selected * TOKEN_DATA_SIZE + 4);
    if (logit == Float.NEGATIVE_INFINITY || token < 0 || token >= vocabSize) {
      return GRAMMAR_DEAD_END; // accepting a token the grammar rejects would abort the process
    }
    LlamaApi.sampler_accept.invokeExact(grammar, token);
    LlamaApi.sampler_accept.invokeExact(chain, token);
    return token;
  }

  private boolean anyAllowed() {
    for (int t = 0; t < vocabSize; t++) {
      if (candidates.get(JAVA_FLOAT, t * TOKEN_DATA_SIZE + 4) != Float.NEGATIVE_INFINITY) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    free(chain);
    free(grammar);
    arena.close();
  }
}
