package io.inferd.engine.remote;

import io.inferd.engine.Prompt;
import io.inferd.engine.TextGenerator;
import io.inferd.engine.Turn;
import java.util.List;

/**
 * What every remote generator shares: the upstream renders, counts and checks the conversation, so
 * locally its size is only estimated (four characters a token) and a request id rides along; and it
 * runs as many generations at once as it was told the upstream takes.
 */
abstract class RemoteGenerator implements TextGenerator {
  /** The upstream checks the real context. */
  static final int UNCHECKED_CONTEXT = 1 << 24;

  private final int parallelism;

  RemoteGenerator(int parallelism) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism: " + parallelism + " (expected: >= 1)");
    }
    this.parallelism = parallelism;
  }

  @Override
  public final int contextLength() {
    return UNCHECKED_CONTEXT;
  }

  @Override
  public final int parallelism() {
    return parallelism;
  }

  @Override
  public final Prompt render(List<Turn> conversation) {
    int chars = conversation.stream().mapToInt(t -> t.content().length()).sum();
    return RequestIds.remember(new Prompt("", chars / 4, conversation));
  }
}
