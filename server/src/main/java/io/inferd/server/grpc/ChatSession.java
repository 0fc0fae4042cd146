package io.inferd.server.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.inferd.api.v1.ChatMessage;
import io.inferd.engine.Generation;
import io.inferd.engine.Role;
import io.inferd.engine.Turn;
import io.inferd.server.core.ChatTurnPlan;
import io.inferd.server.core.Completion;
import io.inferd.server.core.CompletionInput;
import io.inferd.server.core.InferenceCore;
import io.inferd.server.core.InvalidRequestException;
import io.inferd.server.core.LimitExceededException;
import io.inferd.server.telemetry.CallStats;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * One bidirectional Chat stream. Each user message gets one assistant reply, in order; the stream's
 * history is the prompt of the next turn; a system message sets the system prompt. Turns run one at
 * a time; the stream completes once the client has half-closed and every turn is answered.
 *
 * <p>The history is bounded ({@link ChatHistory}) and so are the user messages waiting for a reply
 * ({@value #MAX_PENDING}). Rendering the prompt runs on its own thread, never under the lock that
 * cancellation takes, and a cancel or deadline stops the turn wherever it is.
 */
final class ChatSession implements StreamObserver<ChatMessage> {
  private final InferenceCore core;
  private final ServerCallStreamObserver<ChatMessage> call;
  private final Clock clock;
  private final CallStats stats;
  private final CallCancellation cancellation;
  static final int MAX_PENDING = 64;

  private final ChatHistory history = new ChatHistory();
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private String model = ""; // the model named last; "" is the server's default
  private String answering = ""; // the model of the turn in progress
  private CompletableFuture<Completion> running;
  private CompletableFuture<Completion> generating;
  private boolean halfClosed;
  private boolean closed;
  private int received;

  /** Prompt rendering (tokenizing the whole history) stays off gRPC threads and off the lock. */
  private static final Executor PLANNER =
      task -> Thread.ofVirtual().name("inferd-chat-plan").start(task);

  ChatSession(
      InferenceCore core,
      ServerCallStreamObserver<ChatMessage> call,
      Clock clock,
      CallStats stats) {
    this.core = core;
    this.stats = stats;
    this.call = call;
    this.clock = clock;
    this.cancellation = CallCancellation.ofCurrentCall();
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
        throw new InvalidRequestException(
            field + ".content: blank (expected: a non-blank message)");
      }
    } catch (InvalidRequestException e) {
      fail(e);
      return;
    }
    try {
      switch (turn.role()) {
        case SYSTEM -> history.setSystem(turn);
        case ASSISTANT -> history.add(turn); // a client may replay earlier answers
        case USER -> {
          if (pending.size() >= MAX_PENDING) {
            throw new LimitExceededException(
                "chat user messages waiting for a reply",
                pending.size() + 1L,
                MAX_PENDING,
                "a Chat stream; wait for replies");
          }
          pending.add(new Pending(turn, message));
          startNextTurn();
        }
      }
    } catch (LimitExceededException e) {
      fail(e);
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
    try {
      history.add(next.turn());
    } catch (LimitExceededException e) {
      fail(e);
      return;
    }
    if (!next.message().getModel().isEmpty()) {
      model = next.message().getModel();
    }
    CompletionInput options =
        ProtoMapping.chatOptions(next.message(), core.limits().chatTemperature(), model);
    List<Turn> snapshot = history.snapshot();
    int turns = history.size();
    running =
        CompletableFuture.supplyAsync(() -> core.planChat(snapshot, options), PLANNER)
            .thenCompose(plan -> generate(plan, turns - plan.keptTurns()));
    running.whenComplete(this::turnEnded);
  }

  /** Runs on the planner thread, outside the lock, until the engine takes over. */
  private CompletableFuture<Completion> generate(ChatTurnPlan plan, int droppedTurns) {
    CompletableFuture<Completion> generation;
    synchronized (this) {
      if (closed || call.isCancelled()) {
        return CompletableFuture.failedFuture(new CancellationException("chat cancelled"));
      }
      history.dropOldest(droppedTurns);
      answering = plan.plan().model();
      generation =
          core.complete(
              plan.plan(),
              (index, text, tokens) -> {
                stats.firstToken();
                return !cancellation.cancelled();
              },
              stats);
      generating = generation;
    }
    return generation;
  }

  private synchronized void turnEnded(Completion completion, Throwable error) {
    running = null;
    generating = null;
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
    stopRunning();
    call.onError(StatusMapper.toException(unwrap(error)));
  }

  private synchronized void cancelled() {
    closed = true;
    pending.clear();
    stopRunning();
  }

  private void stopRunning() {
    if (running != null) {
      running.cancel(false);
    }
    if (generating != null) {
      generating.cancel(
          false); // the engine's future: cancelling the composed one does not reach it
    }
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }
}
