package io.inferd.server.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.inferd.api.v1.ChatMessage;
import io.inferd.engine.Generation;
import io.inferd.engine.Role;
import io.inferd.engine.Turn;
import io.inferd.server.core.Completion;
import io.inferd.server.core.InferenceCore;
import io.inferd.server.core.InvalidRequestException;
import io.inferd.server.telemetry.CallStats;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One bidirectional Chat stream. Each user message gets one assistant reply, in order; the stream's
 * history is the prompt of the next turn; a system message sets the system prompt. Turns run one at a
 * time; the stream completes once the client has half-closed and every turn is answered.
 */
final class ChatSession implements StreamObserver<ChatMessage> {
  private final InferenceCore core;
  private final ServerCallStreamObserver<ChatMessage> call;
  private final Clock clock;
  private final CallStats stats;
  private final List<Turn> history = new ArrayList<>();
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private CompletableFuture<Completion> running;
  private String model = ""; // the model named last; "" is the server's default
  private boolean halfClosed;
  private boolean closed;
  private int received;

  ChatSession(
      InferenceCore core, ServerCallStreamObserver<ChatMessage> call, Clock clock, CallStats stats) {
    this.core = core;
    this.stats = stats;
    this.call = call;
    this.clock = clock;
    call.setOnCancelHandler(this::cancelled);
  }

  @Override
  public synchronized void onNext(ChatMessage message) {
    if (closed) {
      return;
    }
    String field = "message[" + received++ + "]";
    Turn turn;
    try {
      turn = InferenceCore.turn(field, message.getRole(), message.getContent());
      if (turn.content().isBlank() && turn.role() == Role.USER) {
        throw new InvalidRequestException(field + ".content: blank (expected: a non-blank message)");
      }
    } catch (InvalidRequestException e) {
      fail(e);
      return;
    }
    switch (turn.role()) {
      case SYSTEM -> {
        history.removeIf(t -> t.role() == Role.SYSTEM);
        history.add(0, turn);
      }
      case ASSISTANT -> history.add(turn); // a client may replay earlier answers
      case USER -> {
        pending.add(new Pending(turn, message));
        startNextTurn();
      }
    }
  }

  @Override
  public synchronized void onError(Throwable t) {
    cancelled();
  }

  @Override
  public synchronized void onCompleted() {
    halfClosed = true;
    startNextTurn();
  }

  private void startNextTurn() {
    if (closed || running != null) {
      return;
    }
    Pending next = pending.poll();
    if (next == null) {
      if (halfClosed) {
        closed = true;
        call.onCompleted();
      }
      return;
    }
    history.add(next.turn());
    try {
      if (!next.message().getModel().isEmpty()) {
        model = next.message().getModel();
      }
      var plan =
          core.planChatTurn(
              List.copyOf(history),
              ProtoMapping.chatOptions(next.message(), core.limits().chatTemperature(), model));
      running =
          core.complete(
              plan,
              (index, text, tokens) -> {
                stats.firstToken(System.nanoTime());
                return !call.isCancelled();
              });
      String answering = plan.model();
      running.whenComplete(
          (completion, error) -> turnEnded(answering, completion, error));
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  private synchronized void turnEnded(String answering, Completion completion, Throwable error) {
    running = null;
    if (closed || call.isCancelled()) {
      return;
    }
    if (error != null) {
      fail(error);
      return;
    }
    Generation generation = completion.first();
    stats.addUsage(generation.promptTokens(), generation.completionTokens());
    history.add(Turn.assistant(generation.text()));
    call.onNext(
        ChatMessage.newBuilder()
            .setRole(Role.ASSISTANT.wireName())
            .setContent(generation.text())
            .setModel(answering)
            .setTimestamp(ProtoMapping.timestamp(clock.instant()))
            .build());
    startNextTurn();
  }

  /** A user message waiting for its turn, with the options it set for the reply. */
  private record Pending(Turn turn, ChatMessage message) {}

  private void fail(Throwable error) {
    closed = true;
    pending.clear();
    if (running != null) {
      running.cancel(false);
    }
    call.onError(StatusMapper.toException(error));
  }

  private synchronized void cancelled() {
    closed = true;
    pending.clear();
    if (running != null) {
      running.cancel(false);
    }
  }
}
