package io.inferd.engine.remote;

import io.inferd.engine.Prompt;
import io.inferd.engine.TextGenerator;
import io.inferd.engine.Turn;
import java.util.List;

/**
 * What every remote generator does with a conversation: the upstream renders, counts and checks
 * it, so locally its size is only estimated (four characters a token) and a request id rides along.
 */
interface RemoteGenerator extends TextGenerator {
  /** The upstream checks the real context. */
  int UNCHECKED_CONTEXT = 1 << 24;

  @Override
  default int contextLength() {
    return UNCHECKED_CONTEXT;
  }

  @Override
  default Prompt render(List<Turn> conversation) {
    int chars = conversation.stream().mapToInt(t -> t.content().length()).sum();
    return RequestIds.remember(new Prompt("", chars / 4, conversation));
  }
}
