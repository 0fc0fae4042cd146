package io.inferd.server.core;

import io.inferd.engine.FinishReason;
import io.inferd.engine.GeneratedToken;
import io.inferd.engine.Generation;
import io.inferd.engine.TokenSink;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Sits between an engine and a {@link ChoiceSink} for one choice: holds back text that may be the
 * start of a stop sequence, stops the engine when one is complete, and keeps the log-probabilities
 * of tokens whose text reached the client (a token that lies wholly inside the stop sequence is
 * left out). Without stop sequences or tools every piece reaches the client, so the answer is the
 * engine's own text (see {@link Generation#text}) and no second copy of it is built here.
 */
final class ChoiceFilter implements TokenSink {
  private final int index;
  private final StopMatcher stop;
  private final ChoiceSink out;
  private final boolean logprobs;
  private final ToolCallCapture tools;
  private final StringBuilder text; // null when the answer is the engine's text as it is
  private final List<GeneratedToken> kept = new ArrayList<>();
  private final ArrayDeque<Held> held;
  private long offset; // chars the engine produced so far

  private record Held(long start, GeneratedToken token) {}

  /** One choice of {@code plan}. */
  ChoiceFilter(int index, PlannedCompletion plan, ChoiceSink out) {
    this(
        index,
        plan.stop(),
        out,
        plan.logprobs(),
        plan.tools(),
        // about 4 characters a token in English text: most answers then need no copy as they
        // grow; capped, so that a large max_tokens reserves little for a short answer
        Math.min(plan.request().maxTokens(), 1_024) * 4);
  }

  /**
   * With tools, text that may be tool calls is held back as well (the core refuses logprobs with
   * tools, so no token's log-probability waits on it). The text buffer starts at {@code
   * expectedChars}.
   */
  ChoiceFilter(
      int index,
      List<String> stops,
      ChoiceSink out,
      boolean logprobs,
      ToolUse tools,
      int expectedChars) {
    this.index = index;
    this.text = stops.isEmpty() && !tools.active() ? null : new StringBuilder(expectedChars);
    this.held = new ArrayDeque<>(logprobs ? 16 : 0); // holds nothing without log-probabilities
    this.tools = new ToolCallCapture(tools);
    this.stop = new StopMatcher(stops);
    this.out = out;
    this.logprobs = logprobs;
  }

  @Override
  public boolean onToken(String piece) {
    return accept(piece, logprobs ? GeneratedToken.of(piece, -1) : null);
  }

  @Override
  public boolean onToken(GeneratedToken token) {
    return accept(token.text(), token);
  }

  /**
   * {@code token} is read only when log-probabilities are kept, so an engine's bare piece is not
   * wrapped for every token of the calls (most) that keep none: it may then be null.
   */
  private boolean accept(String piece, GeneratedToken token) {
    if (logprobs) {
      held.add(new Held(offset, token));
    }
    offset += piece.length();
    boolean more = deliver(tools.accept(stop.accept(piece)), true);
    return more
        && !stop.stopped(); // false before the next token once a stop sequence ended the text
  }

  /**
   * Sends what was released. Every engine token gets a piece, if an empty one (half a character, or
   * text held back), so that a stream shows each token as it is decoded, as it did before stops.
   */
  private boolean deliver(String released, boolean everyToken) {
    if (text != null) {
      text.append(released);
    }
    List<GeneratedToken> ready = held.isEmpty() ? List.of() : new ArrayList<>();
    while (!held.isEmpty()
        && (held.peek().start() < stop.releasedChars() || (!stop.stopped() && flushing))) {
      ready.add(held.poll().token());
    }
    if (released.isEmpty() && ready.isEmpty() && (!everyToken || stop.stopped())) {
      return true;
    }
    if (!ready.isEmpty()) {
      kept.addAll(ready); // addAll copies even an empty list into a new array
    }
    return out.onPiece(index, released, ready);
  }

  private boolean flushing;

  /** After the engine returned: releases what was held and says why this choice ended. */
  Completion.Choice finish(Generation generation) {
    if (!stop.stopped()) {
      flushing = true;
      deliver(tools.accept(stop.flush()), false);
    }
    ToolCallCapture.Result calls = tools.finish();
    if (!calls.rest().isEmpty()) {
      deliver(calls.rest(), false);
    }
    held.clear();
    List<GeneratedToken> logprobs = kept.isEmpty() ? List.of() : kept; // copying none allocates
    if (text == null) { // nothing was held back or taken out: the engine's text is the answer
      return new Completion.Choice(index, generation, logprobs, List.of());
    }
    FinishReason reason =
        !calls.calls().isEmpty()
            ? FinishReason.TOOL_CALLS
            : stop.stopped() ? FinishReason.STOP : generation.finishReason();
    return new Completion.Choice(
        index,
        new Generation(
            text.toString(), generation.promptTokens(), generation.completionTokens(), reason),
        logprobs,
        calls.calls());
  }
}
