package io.inferd.engine.llama;

import io.inferd.engine.FinishReason;
import io.inferd.engine.GeneratedToken;
import io.inferd.engine.GenerationRequest;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One generation in the decode loop. The loop thread owns the decoding state; the caller's thread
 * reads {@link #events} and acknowledges each token, which is how a slow reader pauses only its own
 * sequence.
 */
final class Sequence {
  /**
   * Tokens the loop may run ahead of the reader before the sequence sits out steps. A little slack
   * keeps a reader that is briefly descheduled from shrinking the batch; a reader that stays behind
   * still pauses only its own sequence. A stop asked by the sink still ends decoding before the
   * next step.
   */
  static final int MAX_UNACKNOWLEDGED = 16;

  final int[] prompt;
  final GenerationRequest request;
  final SamplerChain sampler;
  final Utf8Assembler text = new Utf8Assembler();

  // Loop thread only.
  Slot slot;
  int prefilled; // prompt tokens already in the KV memory
  int position; // next position in the sequence
  int generated;
  int nextToken = -1; // sampled, not yet decoded
  int outputIndex = -1; // index of this sequence's logits in the current batch

  // Between the loop and the reader.
  final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
  final AtomicInteger unacknowledged = new AtomicInteger();
  volatile boolean paused;
  volatile boolean cancelled;

  Sequence(int[] prompt, GenerationRequest request, SamplerChain sampler) {
    this.prompt = prompt;
    this.request = request;
    this.sampler = sampler;
  }

  boolean prefilling() {
    return prefilled < prompt.length;
  }

  boolean expired(long now) {
    return request.deadlineNanoTime().isPresent()
        && now - request.deadlineNanoTime().getAsLong() >= 0;
  }

  sealed interface Event permits Token, End {}

  record Token(GeneratedToken token) implements Event {}

  record End(FinishReason reason, int completionTokens, String tail, RuntimeException error)
      implements Event {}
}
