package io.inferd.engine.remote;

import io.inferd.engine.Prompt;
import io.inferd.engine.Turn;
import java.util.List;

/** What every remote engine does with a conversation: the upstream renders and counts it. */
final class RemotePrompts {
  /** The upstream checks the real context; locally the prompt is only estimated. */
  static final int UNCHECKED_CONTEXT = 1 << 24;

  private RemotePrompts() {}

  /** The conversation, its size estimated at four characters a token, with a request id attached. */
  static Prompt of(List<Turn> conversation) {
    int chars = conversation.stream().mapToInt(t -> t.content().length()).sum();
    return RequestIds.remember(new Prompt("", chars / 4, conversation));
  }
}
