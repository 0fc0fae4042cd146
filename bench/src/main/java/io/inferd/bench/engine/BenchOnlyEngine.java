package io.inferd.bench.engine;

import static java.util.Objects.requireNonNull;

import io.inferd.bench.Payloads;
import io.inferd.engine.Embedder;
import io.inferd.engine.FinishReason;
import io.inferd.engine.Generation;
import io.inferd.engine.GenerationRequest;
import io.inferd.engine.Prompt;
import io.inferd.engine.TextGenerator;
import io.inferd.engine.TokenSink;
import io.inferd.engine.Turn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * FOR BENCHMARKS ONLY — never a default, never loaded by {@code inferd serve}. A text generator
 * that "generates" the 256 pre-generated {@link Payloads#TOKENS} and an embedder that returns fixed
 * unit vectors, without any model compute, so that what a protocol benchmark measures is the
 * transport: gRPC/Protobuf vs REST/JSON around the same request core. An optional interval between
 * tokens (for the concurrent-streams run) simulates a slow model; it waits on the engine thread, as
 * a real model's decoding does, and stops at the next token once the sink says so.
 */
public final class BenchOnlyEngine implements TextGenerator, Embedder {
  private final long tokenIntervalNanos;
  private final int parallelism;

  public BenchOnlyEngine(Duration tokenInterval, int parallelism) {
    requireNonNull(tokenInterval, "tokenInterval");
    if (tokenInterval.isNegative()) {
      throw new IllegalArgumentException("tokenInterval: " + tokenInterval + " (expected: >= 0)");
    }
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism: " + parallelism + " (expected: >= 1)");
    }
    this.tokenIntervalNanos = tokenInterval.toNanos();
    this.parallelism = parallelism;
  }

  @Override
  public int contextLength() {
    return 1 << 20;
  }

  @Override
  public int parallelism() {
    return parallelism;
  }

  /** Contents one per line, as inferd does for a model without a chat template; words as tokens. */
  @Override
  public Prompt render(List<Turn> conversation) {
    String[] contents = new String[conversation.size()];
    int tokens = 0;
    for (int i = 0; i < contents.length; i++) {
      contents[i] = conversation.get(i).content();
      tokens += Payloads.countTokens(contents[i]);
    }
    return new Prompt(String.join("\n", contents), tokens, conversation); // sized once, no copy
  }

  @Override
  public Generation generate(GenerationRequest request, TokenSink sink) {
    requireNonNull(request, "request");
    requireNonNull(sink, "sink");
    int tokens = 0;
    FinishReason reason = FinishReason.LENGTH;
    for (int i = 0; i < request.maxTokens(); i++) {
      if (i > 0 && tokenIntervalNanos > 0) {
        LockSupport.parkNanos(tokenIntervalNanos);
      }
      String token = Payloads.TOKENS.get(i % Payloads.TOKENS.size());
      tokens++;
      if (!sink.onToken(token)) {
        reason = FinishReason.CANCELLED;
        break;
      }
    }
    // The joined text is made once per length: building it per call is engine work that a
    // transport benchmark should not carry (the bare server it is compared with has none).
    return new Generation(Payloads.text(tokens), request.prompt().tokenCount(), tokens, reason);
  }

  /** Only a paced engine waits; otherwise it computes its answer as fast as it can. */
  @Override
  public boolean waitsWhileGenerating() {
    return tokenIntervalNanos > 0;
  }

  @Override
  public int dimension() {
    return Payloads.DIMENSIONS;
  }

  /** The fixed unit vector of each text's position; words plus two special tokens per text. */
  @Override
  public Embeddings embed(List<String> texts) {
    List<float[]> vectors = new ArrayList<>(texts.size());
    int tokens = 0;
    for (int i = 0; i < texts.size(); i++) {
      vectors.add(Payloads.vector(i));
      tokens += Payloads.countTokens(texts.get(i)) + 2;
    }
    return new Embeddings(vectors, tokens);
  }

  @Override
  public void close() {}
}
