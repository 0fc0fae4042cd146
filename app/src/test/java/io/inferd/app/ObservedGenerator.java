package io.inferd.app;

import io.inferd.engine.Generation;
import io.inferd.engine.GenerationRequest;
import io.inferd.engine.Prompt;
import io.inferd.engine.TextGenerator;
import io.inferd.engine.Turn;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Test decorator around a real generator: records prompts and outcomes, and when gated, lets a test
 * decide when each token may be decoded, so it can act "in the middle" of a generation.
 */
final class ObservedGenerator implements TextGenerator {
  private final TextGenerator real;
  private final Semaphore tokenPermits;
  final List<String> prompts = new CopyOnWriteArrayList<>();
  final List<GenerationRequest> requests = new CopyOnWriteArrayList<>();
  final BlockingQueue<Generation> finished = new LinkedBlockingQueue<>();
  final java.util.concurrent.atomic.AtomicInteger renders =
      new java.util.concurrent.atomic.AtomicInteger();

  private ObservedGenerator(TextGenerator real, Semaphore tokenPermits) {
    this.real = real;
    this.tokenPermits = tokenPermits;
  }

  static ObservedGenerator open(TextGenerator real) {
    return new ObservedGenerator(real, null);
  }

  /** Each token waits for {@link #allow(int)}. */
  static ObservedGenerator gated(TextGenerator real) {
    return new ObservedGenerator(real, new Semaphore(0));
  }

  void allow(int tokens) {
    if (tokenPermits != null) {
      tokenPermits.release(tokens);
    }
  }

  /**
   * Waits until the engine has used every permit and waits on the next token, so that what the test
   * does next happens "between two tokens" and not while an allowed token is still on its way.
   */
  void awaitWaitingForToken() throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (tokenPermits.availablePermits() > 0 || !tokenPermits.hasQueuedThreads()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("the engine never came to wait on its next token");
      }
      Thread.sleep(1);
    }
  }

  Generation nextFinished() throws InterruptedException {
    Generation g = finished.poll(10, TimeUnit.SECONDS);
    if (g == null) {
      throw new AssertionError("no generation finished within 10 s");
    }
    return g;
  }

  @Override
  public int contextLength() {
    return real.contextLength();
  }

  @Override
  public int parallelism() {
    return real.parallelism();
  }

  @Override
  public Prompt render(List<Turn> conversation) {
    renders.incrementAndGet();
    return real.render(conversation);
  }

  @Override
  public Generation generate(GenerationRequest request, io.inferd.engine.TokenSink sink) {
    prompts.add(request.prompt().text());
    requests.add(request);
    Generation g =
        real.generate(
            request,
            token -> {
              if (tokenPermits != null) {
                try {
                  if (!tokenPermits.tryAcquire(10, TimeUnit.SECONDS)) {
                    throw new AssertionError("test never allowed the next token");
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return false;
                }
              }
              return sink.onToken(token);
            });
    finished.add(g);
    return g;
  }

  @Override
  public void close() {}
}
