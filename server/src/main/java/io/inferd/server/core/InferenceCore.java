package io.inferd.server.core;

import static java.util.Objects.requireNonNull;

import io.inferd.engine.Generation;
import io.inferd.engine.GenerationRequest;
import io.inferd.engine.ModelRegistry;
import io.inferd.engine.ModelRegistry.NamedModel;
import io.inferd.engine.Prompt;
import io.inferd.engine.Role;
import io.inferd.engine.Sampling;
import io.inferd.engine.Scheduler;
import io.inferd.engine.Scheduler.Permit;
import io.inferd.engine.TextGenerator;
import io.inferd.engine.TokenSink;
import io.inferd.engine.Turn;
import io.inferd.server.core.CompletionInput.InputMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The request core both transports call: validation, model lookup, admission to the scheduler, and
 * running the engines off the transport threads. It knows nothing of gRPC or HTTP.
 */
public final class InferenceCore implements AutoCloseable {
  private final ModelRegistry models;
  private final Scheduler scheduler;
  private final CoreLimits limits;
  private final FastMode fastMode;
  private final ExecutorService generationThreads;
  private final ExecutorService embeddingThreads;

  public InferenceCore(ModelRegistry models, Scheduler scheduler, CoreLimits limits) {
    this(models, scheduler, limits, FastMode.defaults());
  }

  public InferenceCore(
      ModelRegistry models, Scheduler scheduler, CoreLimits limits, FastMode fastMode) {
    this.models = requireNonNull(models, "models");
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.limits = requireNonNull(limits, "limits");
    this.fastMode = requireNonNull(fastMode, "fastMode");
    // Platform threads: the engines block in JNI, which would pin a virtual thread's carrier. The
    // scheduler admits at most slots() generations, which bounds the threads. A cached pool keeps
    // as many as run at once and hands work to the one that went idle last; a fixed pool starts
    // slots() of them (128 in the bench) and cycles through all, each with its own TLAB.
    this.generationThreads = Executors.newCachedThreadPool(namedThreads("inferd-generate"));
    int embedders = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    this.embeddingThreads =
        new ThreadPoolExecutor(
            embedders,
            embedders,
            0L,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(EmbeddingWork.QUEUE), // full: RESOURCE_EXHAUSTED at once
            namedThreads("inferd-embed"));
  }

  public ModelRegistry models() {
    return models;
  }

  public Scheduler scheduler() {
    return scheduler;
  }

  public CoreLimits limits() {
    return limits;
  }

  /** Validates a completion request and renders its prompt; throws what the client must fix. */
  public PlannedCompletion plan(CompletionInput input) {
    return plan(input, OptionalLong.empty());
  }

  /**
   * Validates and plans a completion whose caller waits until {@code deadlineNanoTime} ({@link
   * System#nanoTime()} based). Too little time left switches to {@link FastMode}.
   */
  public PlannedCompletion plan(CompletionInput input, OptionalLong deadlineNanoTime) {
    requireNonNull(input, "input");
    GenerationControls controls = input.controls();
    List<Turn> conversation =
        controls.rawPrompt() == null ? conversation(input.messages()) : List.of();
    Controls.checkShape(controls);
    if (input.maxTokens() < 0) {
      throw InvalidRequestException.field("max_tokens", input.maxTokens(), ">= 0");
    }
    if (input.maxTokens() > limits.maxTokensLimit()) {
      throw new LimitExceededException(
          "max_tokens", input.maxTokens(), limits.maxTokensLimit(), "--max-tokens-limit");
    }
    boolean fast =
        deadlineNanoTime.isPresent()
            && fastMode.applies(deadlineNanoTime.getAsLong() - System.nanoTime());
    String modelName =
        fast && input.model().isEmpty() && !fastMode.model().isEmpty()
            ? fastMode.model()
            : input.model();
    NamedModel<TextGenerator> model = models.generator(modelName);
    Sampling sampling =
        Controls.sampling(model, input.temperature(), input.topP(), input.seed(), controls);
    int topLogprobs = Controls.topLogprobs(model, controls);
    ToolUse tools = Controls.toolUse(model, controls);
    if (tools.forced()) {
      sampling = sampling.withGrammar(Controls.toolGrammar(tools, controls));
    }
    checkToolTurns(model, conversation);
    Prompt prompt =
        controls.rawPrompt() == null
            ? render(model, conversation, tools)
            : rawPrompt(model, controls.rawPrompt());
    if (prompt.tokenCount() > limits.maxPromptTokens()) {
      throw new LimitExceededException(
          "prompt tokens", prompt.tokenCount(), limits.maxPromptTokens(), "--max-prompt-tokens");
    }
    int maxTokens = fitMaxTokens(model, prompt, input.maxTokens());
    String fastNote = "";
    if (fast) {
      maxTokens = Math.min(maxTokens, fastMode.maxTokens());
      fastNote =
          "max_tokens="
              + maxTokens
              + (modelName.equals(input.model()) ? "" : " model=" + model.name());
    }
    return new PlannedCompletion(
        model.name(),
        model.model(),
        new GenerationRequest(prompt, maxTokens, sampling, deadlineNanoTime, topLogprobs),
        fastNote,
        controls.stop(),
        controls.n() == null ? 1 : controls.n(),
        tools);
  }

  private static Prompt render(
      NamedModel<TextGenerator> model, List<Turn> conversation, ToolUse tools) {
    if (!tools.active()) {
      return model.model().render(conversation);
    }
    try {
      return model.model().render(conversation, tools.tools());
    } catch (UnsupportedOperationException e) {
      throw new InvalidRequestException(e.getMessage());
    }
  }

  /** Tool calls and results in the history reach only a template that renders them. */
  private static void checkToolTurns(NamedModel<TextGenerator> model, List<Turn> conversation) {
    if (model.model().features().contains(TextGenerator.Feature.TOOLS)) {
      return;
    }
    for (int i = 0; i < conversation.size(); i++) {
      Turn turn = conversation.get(i);
      if (turn.role() == Role.TOOL || !turn.toolCalls().isEmpty()) {
        throw new InvalidRequestException(
            "messages["
                + i
                + "]: a tool "
                + (turn.role() == Role.TOOL ? "result" : "call")
                + ", but model '"
                + model.name()
                + "''s chat template has no tool support (expected: a model whose chat template"
                + " renders tools)");
      }
    }
  }

  private static Prompt rawPrompt(NamedModel<TextGenerator> model, String text) {
    if (text.isEmpty()) {
      throw new InvalidRequestException("prompt: empty (expected: some text)");
    }
    try {
      return model.model().raw(text);
    } catch (UnsupportedOperationException e) {
      throw new InvalidRequestException(
          "prompt: model '"
              + model.name()
              + "' takes conversations only (expected: /v1/chat/completions with messages)");
    }
  }

  /**
   * Plans the next turn of a Chat stream on the default model. When the history no longer fits the
   * context, the oldest turns after the system prompt are left out, as chat front ends do.
   */
  public PlannedCompletion planChatTurn(List<Turn> history) {
    return planChat(history).plan();
  }

  /** A Chat turn with the server's chat defaults on the default model. */
  public ChatTurnPlan planChat(List<Turn> history) {
    return planChat(
        history, new CompletionInput("", List.of(), limits.chatTemperature(), 0, null, null));
  }

  /**
   * Plans a Chat turn over {@code history} with the model, token limit and sampling of {@code
   * options} (its messages are not used), dropping the oldest turns (never the system prompt, never
   * the newest) until the prompt leaves room for a reply. The cut is found by binary search, so a
   * long history costs O(log n) renders, not one per dropped turn.
   */
  public ChatTurnPlan planChat(List<Turn> history, CompletionInput options) {
    GenerationControls controls = options.controls();
    Controls.checkShape(controls);
    if (options.maxTokens() < 0) {
      throw InvalidRequestException.field("max_tokens", options.maxTokens(), ">= 0");
    }
    if (options.maxTokens() > limits.maxTokensLimit()) {
      throw new LimitExceededException(
          "max_tokens", options.maxTokens(), limits.maxTokensLimit(), "--max-tokens-limit");
    }
    NamedModel<TextGenerator> model = models.generator(options.model());
    Sampling sampling =
        Controls.sampling(model, options.temperature(), options.topP(), options.seed(), controls);
    List<Turn> system = history.stream().filter(t -> t.role() == Role.SYSTEM).toList();
    List<Turn> turns = history.stream().filter(t -> t.role() != Role.SYSTEM).toList();
    int context = model.model().contextLength();
    // Leave the reply room for a full answer, or half the context on small models.
    int reply = options.maxTokens() > 0 ? options.maxTokens() : limits.defaultMaxTokens();
    int promptBudget = context - Math.min(reply, context / 2);
    Prompt prompt = model.model().render(window(system, turns, 0));
    int from = 0;
    if (prompt.tokenCount() > promptBudget && turns.size() > 1) {
      // Fewer turns never render longer: find the first start whose prompt fits, else keep one.
      int low = 1;
      int high = turns.size() - 1;
      Prompt fitting = null;
      while (low <= high) {
        int mid = (low + high) >>> 1;
        Prompt candidate = model.model().render(window(system, turns, mid));
        if (candidate.tokenCount() <= promptBudget) {
          fitting = candidate;
          from = mid;
          high = mid - 1;
        } else {
          low = mid + 1;
        }
      }
      if (fitting == null) {
        from = turns.size() - 1;
        fitting = model.model().render(window(system, turns, from));
      }
      prompt = fitting;
    }
    int maxTokens =
        fitMaxTokens(model, prompt, Math.min(options.maxTokens(), context - prompt.tokenCount()));
    return new ChatTurnPlan(
        new PlannedCompletion(
            model.name(),
            model.model(),
            new GenerationRequest(prompt, maxTokens, sampling),
            "",
            controls.stop(),
            1),
        turns.size() - from);
  }

  private static List<Turn> window(List<Turn> system, List<Turn> turns, int from) {
    List<Turn> window = new ArrayList<>(system.size() + turns.size() - from);
    window.addAll(system);
    window.addAll(turns.subList(from, turns.size()));
    return window;
  }

  /** 0 asks for the server default, trimmed to what is left of the context; more must fit. */
  private int fitMaxTokens(NamedModel<TextGenerator> model, Prompt prompt, int requested) {
    int context = model.model().contextLength();
    int room = context - prompt.tokenCount();
    if (room < 1) {
      throw new InvalidRequestException(
          "messages: the prompt is "
              + prompt.tokenCount()
              + " tokens, model '"
              + model.name()
              + "' has a context of "
              + context
              + " (expected: a prompt of at most "
              + (context - 1)
              + " tokens)");
    }
    if (requested == 0) {
      return Math.min(limits.defaultMaxTokens(), room);
    }
    if (requested > room) {
      throw new InvalidRequestException(
          "max_tokens: "
              + requested
              + " with a prompt of "
              + prompt.tokenCount()
              + " tokens exceeds model '"
              + model.name()
              + "''s context of "
              + context
              + " (expected: max_tokens <= "
              + room
              + " or a shorter prompt)");
    }
    return requested;
  }

  private static List<Turn> conversation(List<InputMessage> messages) {
    if (messages.isEmpty()) {
      throw new InvalidRequestException("messages: empty (expected: at least one message)");
    }
    Turn[] turns = new Turn[messages.size()];
    for (int i = 0; i < turns.length; i++) {
      turns[i] = turn(i, messages.get(i));
    }
    return List.of(turns); // immutable already: the prompt keeps it without another copy
  }

  /**
   * A message of a completion request: tool calls and tool results included. Its field's name is
   * made only for an error: valid messages are the rule.
   */
  private static Turn turn(int index, InputMessage message) {
    Role role =
        Role.fromWireName(message.role())
            .orElseThrow(
                () ->
                    InvalidRequestException.field(
                        messageField(index, "role"),
                        "'" + message.role() + "'",
                        "one of system, user, assistant, tool"));
    if (!message.toolCalls().isEmpty() && role != Role.ASSISTANT) {
      throw InvalidRequestException.field(
          messageField(index, "tool_calls"),
          "on a " + role.wireName() + " message",
          "only on assistant's");
    }
    if (role == Role.TOOL && message.toolCallId().isEmpty()) {
      throw InvalidRequestException.field(
          messageField(index, "tool_call_id"),
          "missing",
          "the id of the tool call this result answers");
    }
    if (role != Role.TOOL && !message.toolCallId().isEmpty()) {
      throw InvalidRequestException.field(
          messageField(index, "tool_call_id"),
          "on a " + role.wireName() + " message",
          "only on tool's");
    }
    return new Turn(role, message.content(), message.toolCalls(), message.toolCallId());
  }

  private static String messageField(int index, String name) {
    return "messages[" + index + "]." + name;
  }

  /** Checks a role name; {@code field} says where it came from in the request. */
  public static Turn turn(String field, String role, String content) {
    Role parsed =
        Role.fromWireName(role)
            .filter(r -> r != Role.TOOL) // tool results arrive only with tools (REST)
            .orElseThrow(
                () ->
                    InvalidRequestException.field(
                        field + ".role", "'" + role + "'", "one of system, user, assistant"));
    return new Turn(parsed, content);
  }

  /**
   * Runs a planned completion: its n choices, each through the scheduler, with the stop sequences
   * applied (text that may start one is held back; the text returned never contains one).
   * Cancelling the returned future stops every choice.
   *
   * @throws io.inferd.engine.QueueFullException at once when the queue is full
   */
  public CompletableFuture<Completion> complete(PlannedCompletion plan, ChoiceSink sink) {
    return complete(plan, sink, GenerationObserver.NONE);
  }

  /**
   * {@link #complete(PlannedCompletion, ChoiceSink)}, telling {@code observer} the model and each
   * choice's phases (queue, prefill, decode).
   */
  public CompletableFuture<Completion> complete(
      PlannedCompletion plan, ChoiceSink sink, GenerationObserver observer) {
    return start(plan, sink, observer, false);
  }

  /**
   * {@link #complete(PlannedCompletion, ChoiceSink, GenerationObserver)} for a caller that waits
   * for the answer anyway (a unary call's handler): a single choice admitted at once runs on the
   * calling thread ({@link CallingThreadChoice}), one thread hop less per call, and the future it
   * returns is complete; otherwise the work queues as usual. The sink must notice a caller that
   * leaves without help from the calling thread, which is busy generating.
   */
  public CompletableFuture<Completion> completeWaiting(
      PlannedCompletion plan, ChoiceSink sink, GenerationObserver observer) {
    return start(plan, sink, observer, plan.n() == 1);
  }

  private CompletableFuture<Completion> start(
      PlannedCompletion plan, ChoiceSink sink, GenerationObserver observer, boolean here) {
    requireNonNull(plan, "plan");
    requireNonNull(sink, "sink");
    requireNonNull(observer, "observer");
    observer.model(plan.model());
    Permit permit = here ? scheduler.tryAdmit() : null;
    if (permit != null) {
      CompletableFuture<Completion> done = CallingThreadChoice.run(permit, plan, sink, observer);
      if (done != null) {
        return done;
      }
    }
    return new ChoiceRun(this, plan, sink, observer).start();
  }

  /**
   * Queues one generation as the engine gives it (no stop sequences, one choice: {@link #complete}
   * does both), reporting its phases as choice {@code choice}, and runs it on a generation thread
   * when a slot is free. Cancelling the returned future takes a queued request out of the queue; a
   * running one stops when its sink returns false.
   *
   * @throws io.inferd.engine.QueueFullException at once when the queue is full
   */
  CompletableFuture<Generation> generate(
      PlannedCompletion plan, TokenSink sink, int choice, GenerationObserver observer) {
    requireNonNull(plan, "plan");
    requireNonNull(sink, "sink");
    var phases = new PhaseClock(choice, sink);
    CompletableFuture<Permit> admission = scheduler.admit();
    CompletableFuture<Generation> result = new CompletableFuture<>();
    result.whenComplete(
        (generation, error) -> {
          admission.cancel(false);
          observer.generated(phases.end(generation));
        });
    admission.thenAccept(permit -> runOnGenerationThread(permit, plan, phases, result));
    return result;
  }

  private void runOnGenerationThread(
      Permit permit,
      PlannedCompletion plan,
      PhaseClock phases,
      CompletableFuture<Generation> result) {
    try {
      threadsFor(plan.generator()).execute(() -> run(permit, plan, phases, result));
    } catch (RejectedExecutionException e) {
      permit.close();
      result.completeExceptionally(new ShuttingDownException());
    }
  }

  /**
   * An engine that only computes runs on the pool of the thread that admits it when that is a
   * {@link ForkJoinPool} worker (gRPC's call executor: one per core). No more generations then
   * compete for the cores than there are cores, and a busy worker takes the next one from its queue
   * without a hand-off or a wake-up; a stream's waits for its reader tell the pool ({@link
   * StreamOutlet}). Engines that wait, and work admitted on other threads, get a generation thread;
   * so does all work once the core is closed, which that pool then refuses.
   */
  private Executor threadsFor(TextGenerator generator) {
    if (!generator.waitsWhileGenerating()
        && !generationThreads.isShutdown()
        && Thread.currentThread() instanceof ForkJoinWorkerThread worker) {
      return worker.getPool();
    }
    return generationThreads;
  }

  private static void run(
      Permit permit,
      PlannedCompletion plan,
      PhaseClock phases,
      CompletableFuture<Generation> result) {
    try (permit) {
      if (!result.isDone()) {
        phases.start();
        Generation generation = plan.generator().generate(plan.request(), phases);
        phases.stop();
        result.complete(generation);
      }
    } catch (Throwable t) {
      phases.stop();
      result.completeExceptionally(t);
    }
  }

  /** Starts collecting the texts of one embedding batch. */
  public EmbeddingBatch newEmbeddingBatch() {
    return new EmbeddingBatch(this);
  }

  CompletableFuture<EmbeddingResult> embed(String modelName, List<String> texts) {
    return EmbeddingWork.submit(embeddingThreads, models.embedder(modelName), texts);
  }

  /** A fresh id for a completion, e.g. {@code cmpl-5f0c…}. */
  public static String newCompletionId() {
    byte[] bytes = new byte[12];
    ThreadLocalRandom.current().nextBytes(bytes);
    return "cmpl-" + HexFormat.of().formatHex(bytes);
  }

  /** Stops taking work; running engine calls get a few seconds to finish. */
  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }

  /**
   * Stops taking work; running engine calls get {@code timeout} (both kinds together) to finish,
   * then their threads are interrupted.
   */
  public void close(Duration timeout) {
    generationThreads.shutdown();
    embeddingThreads.shutdown();
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      generationThreads.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      embeddingThreads.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    generationThreads.shutdownNow();
    embeddingThreads.shutdownNow();
  }

  private static java.util.concurrent.ThreadFactory namedThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** The embeddings of one batch, in the order of its texts. */
  public record EmbeddingResult(String model, List<float[]> vectors, int tokenCount) {}
}
