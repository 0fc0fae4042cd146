package io.inferd.engine.llama;

import io.inferd.engine.FinishReason;
import io.inferd.engine.GeneratedToken;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns a llama.cpp context: continuous batching. Each step decodes, in one
 * {@code llama_decode}, the next token of every running sequence plus a chunk of the prompts being
 * prefilled; new sequences join between steps, cancelled or expired ones leave before the next. A
 * sequence whose reader lags skips steps until it catches up; the others keep going.
 */
final class DecodeLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(DecodeLoop.class);

  /** Prompt tokens per step while other sequences are generating: bounds their pause. */
  static final int PREFILL_CHUNK_WHILE_STREAMING = 128;

  private static final long IDLE_RECHECK_NANOS = 20_000_000;

  /** Longest pause of the loop for a first token to leave (a reader that is not scheduled). */
  private static final long HAND_OFF_NANOS = 2_000_000;

  /** After the reader took it: time for the thread it handed the token to, to write it out. */
  private static final long WRITE_OUT_NANOS = 100_000;

  /** Shorter shared prefixes are not worth a slot out of order (see {@link #bestFreeSlot}). */
  static final int MIN_REUSE = 8;

  private final NativeModel model;
  private final NativeContext context;
  private final Batch batch;
  private final Slot[] slots;
  private final int cellsPerSequence;
  private final LogProbabilities logprobs;
  private final ConcurrentLinkedQueue<Sequence> arrivals = new ConcurrentLinkedQueue<>();
  private final List<Sequence> waiting = new ArrayList<>();
  private final List<Sequence> running = new ArrayList<>(); // in slot order: see bestFreeSlot
  private final Thread thread;
  private volatile boolean stopping;
  private volatile long promptTokensDecoded;
  private long clock;
  private MemorySegment pieceScratch;

  DecodeLoop(
      NativeModel model,
      NativeContext context,
      int sequences,
      int cellsPerSequence,
      int batchSize,
      String name) {
    this.model = model;
    this.context = context;
    this.batch = new Batch(batchSize);
    this.slots = new Slot[sequences];
    for (int i = 0; i < sequences; i++) {
      slots[i] = new Slot(i);
    }
    this.cellsPerSequence = cellsPerSequence;
    this.logprobs = new LogProbabilities(model);
    this.thread = Thread.ofPlatform().daemon().name("llama-decode-" + name).unstarted(this);
  }

  void start() {
    thread.start();
  }

  int cellsPerSequence() {
    return cellsPerSequence;
  }

  /** Prompt tokens decoded so far; tokens reused from a slot's memory are not counted. */
  long promptTokensDecoded() {
    return promptTokensDecoded;
  }

  void submit(Sequence sequence) {
    if (stopping) {
      throw new IllegalStateException("the model is shutting down");
    }
    arrivals.add(sequence);
    if (stopping
        && arrivals.remove(sequence)) { // the loop may already have drained for the last time
      throw new IllegalStateException("the model is shutting down");
    }
    wake();
  }

  void wake() {
    LockSupport.unpark(thread);
  }

  /**
   * Ends every sequence and waits for the loop to stop; the context and model stay for the caller.
   */
  void stop() {
    stopping = true;
    wake();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    batch.close();
  }

  @Override
  public void run() {
    try {
      while (!stopping) {
        retire(); // first: what leaves frees the slot a newcomer needs
        admit();
        if (!fillBatch()) {
          if (running.isEmpty() && waiting.isEmpty()) {
            LockSupport.park(this);
          } else { // paused readers or a full house: look at deadlines now and then
            LockSupport.parkNanos(this, IDLE_RECHECK_NANOS);
          }
          continue;
        }
        step();
      }
    } catch (Throwable e) {
      log.error("decode loop failed; generations on this model end with an error", e);
      failAll(new IllegalStateException("the llama.cpp decode loop failed: " + e.getMessage(), e));
      stopping = true;
    }
    failAll(new IllegalStateException("the model is shutting down"));
  }

  private void admit() {
    for (Sequence s; (s = arrivals.poll()) != null; ) {
      waiting.add(s);
    }
    while (!waiting.isEmpty()) {
      Sequence s = waiting.getFirst();
      Slot slot = bestFreeSlot(slots, s.prompt);
      if (slot == null) {
        return; // the scheduler in front admits no more than there are slots; this is only a race
      }
      waiting.removeFirst();
      if (s.cancelled) {
        end(s, FinishReason.CANCELLED, null);
        continue;
      }
      // Reuse what the slot already holds; at least the last prompt token is decoded again for its
      // logits.
      int reuse = Math.min(slot.commonPrefix(s.prompt), s.prompt.length - 1);
      context.forget(slot.id, reuse);
      slot.truncate(reuse);
      slot.active = s;
      slot.lastUsed = ++clock;
      s.slot = slot;
      s.prefilled = reuse;
      s.position = reuse;
      running.add(insertionPoint(slot.id), s);
    }
  }

  /**
   * The free slot whose memory holds most of {@code prompt} (a conversation's earlier turns, a long
   * shared system prompt); otherwise a free slot next to a running one, then the one that holds
   * more of the prompt, then the least recently used. llama.cpp decodes the sequences of a step in
   * one pass over the weights only while their ids are consecutive (each gap costs another pass,
   * every step of the generation), which outweighs reusing a short shared start; the least recently
   * used slot is the cheapest memory to give up.
   */
  static Slot bestFreeSlot(Slot[] slots, int[] prompt) {
    Slot best = null;
    int bestPrefix = 0;
    Slot compact = null;
    int compactGaps = Integer.MAX_VALUE;
    int compactReuse = 0;
    for (Slot slot : slots) {
      if (slot.active != null) {
        continue;
      }
      int prefix = slot.commonPrefix(prompt);
      if (prefix > bestPrefix) {
        best = slot;
        bestPrefix = prefix;
      }
      int gaps = newGaps(slots, slot.id);
      int reuse = prefix >= MIN_REUSE ? prefix : 0;
      if (compact == null
          || gaps < compactGaps
          || (gaps == compactGaps
              && (reuse > compactReuse
                  || (reuse == compactReuse && slot.lastUsed < compact.lastUsed)))) {
        compact = slot;
        compactGaps = gaps;
        compactReuse = reuse;
      }
    }
    return worthASlotOutOfOrder(bestPrefix, prompt.length) ? best : compact;
  }

  /** How many more runs of consecutive busy slots there are once slot {@code id} is busy too. */
  private static int newGaps(Slot[] slots, int id) {
    boolean left = id > 0 && slots[id - 1].active != null;
    boolean right = id < slots.length - 1 && slots[id + 1].active != null;
    return 1 - (left ? 1 : 0) - (right ? 1 : 0);
  }

  /** Reuse that saves at least half of a prompt's prefill (and more than a few tokens). */
  static boolean worthASlotOutOfOrder(int prefix, int promptLength) {
    return prefix >= MIN_REUSE && prefix * 2L >= promptLength;
  }

  /** Where a sequence on slot {@code id} goes in {@link #running}, which stays in slot order. */
  private int insertionPoint(int id) {
    int i = running.size();
    while (i > 0 && running.get(i - 1).slot.id > id) {
      i--;
    }
    return i;
  }

  /** Sequences whose reader left or whose deadline passed leave before the next step. */
  private void retire() {
    long now = System.nanoTime();
    for (int i = waiting.size() - 1; i >= 0; i--) {
      Sequence s = waiting.get(i);
      if (s.cancelled || s.expired(now)) {
        waiting.remove(i);
        end(s, FinishReason.CANCELLED, null);
      }
    }
    for (int i = running.size() - 1; i >= 0; i--) {
      Sequence s = running.get(i);
      if (s.cancelled || s.expired(now)) {
        running.remove(i);
        end(s, FinishReason.CANCELLED, null);
      }
    }
  }

  private boolean fillBatch() {
    batch.clear();
    boolean anyGenerating = false;
    for (Sequence s : running) {
      s.outputIndex = -1;
      if (s.prefilling()) {
        continue;
      }
      anyGenerating = true;
      if (readerBehind(s)) {
        continue;
      }
      s.outputIndex = batch.add(s.nextToken, s.position, s.slot.id, true);
      s.slot.append(s.nextToken);
      s.position++;
    }
    int budget =
        anyGenerating
            ? Math.min(PREFILL_CHUNK_WHILE_STREAMING, batch.capacity() - batch.size())
            : batch.capacity() - batch.size();
    for (Sequence s : running) {
      if (!s.prefilling() || budget == 0) {
        continue;
      }
      int n = Math.min(budget, s.prompt.length - s.prefilled);
      for (int k = 0; k < n; k++) {
        int token = s.prompt[s.prefilled];
        boolean last = s.prefilled == s.prompt.length - 1;
        int index = batch.add(token, s.position, s.slot.id, last);
        if (last) {
          s.outputIndex = index;
        }
        s.slot.append(token);
        s.prefilled++;
        s.position++;
      }
      promptTokensDecoded += n;
      budget -= n;
    }
    return batch.size() > 0;
  }

  /** True when the reader still holds tokens; it will wake the loop when it catches up. */
  private static boolean readerBehind(Sequence s) {
    if (s.unacknowledged.get() <= Sequence.MAX_UNACKNOWLEDGED) {
      return false;
    }
    s.paused = true;
    if (s.unacknowledged.get() <= Sequence.MAX_UNACKNOWLEDGED) { // it caught up meanwhile
      s.paused = false;
      return false;
    }
    return true;
  }

  private void step() {
    int status = context.decode(batch);
    if (status != 0) {
      failBatch(status);
      return;
    }
    Sequence first = sample();
    if (first != null) {
      awaitHandOff(first);
    }
    // The readers just woken must hand their tokens on before the next decode takes every core.
    Thread.yield();
  }

  /**
   * A sequence's first token is what its client waits on longest: pause until its reader took it,
   * then a little more, so the threads that carry it out (a gRPC event loop) run on an idle core
   * instead of queueing behind the next decode, which keeps every core busy. Once per request.
   */
  private static void awaitHandOff(Sequence s) {
    long until = System.nanoTime() + HAND_OFF_NANOS;
    while (s.unacknowledged.get() > 0 && System.nanoTime() < until) {
      LockSupport.parkNanos(20_000);
    }
    LockSupport.parkNanos(WRITE_OUT_NANOS);
  }

  /** Samples every sequence in the batch; returns one that just got its first token, if any. */
  private Sequence sample() {
    Sequence first = null;
    for (int i = running.size() - 1; i >= 0; i--) {
      Sequence s = running.get(i);
      if (s.outputIndex < 0) {
        continue;
      }
      int token = s.sampler.sample(context, s.outputIndex);
      if (token == SamplerChain.GRAMMAR_DEAD_END || model.isEndOfGeneration(token)) {
        running.remove(i);
        end(s, FinishReason.STOP, null);
        continue;
      }
      s.generated++;
      boolean full = s.generated >= s.request.maxTokens() || s.position >= cellsPerSequence;
      String text = s.text.feed(model.piece(token, pieceBuffer()));
      if (full) {
        text += s.text.flush(); // the last token carries a character left incomplete, as U+FFFD
      }
      GeneratedToken out =
          s.request.wantsLogprobs()
              ? logprobs.describe(
                  context.logits(s.outputIndex), token, text, s.request.topLogprobs())
              : GeneratedToken.of(text, token);
      s.nextToken = token;
      if (full) {
        running.remove(i);
        emit(s, out);
        end(s, FinishReason.LENGTH, null);
      } else {
        emit(s, out);
        if (s.generated == 1) {
          first = s;
        }
      }
    }
    return first;
  }

  private MemorySegment pieceBuffer() {
    if (pieceScratch == null) {
      pieceScratch = Arena.ofAuto().allocate(256);
    }
    return pieceScratch;
  }

  private static void emit(Sequence s, GeneratedToken token) {
    s.unacknowledged.incrementAndGet();
    s.events.add(new Sequence.Token(token));
  }

  /**
   * llama_decode failed: the sequences in this batch end with an error; their memory is dropped.
   */
  private void failBatch(int status) {
    String why =
        status == 1
            ? "llama_decode found no room in the KV memory (status 1)"
            : "llama_decode failed (status " + status + ")";
    for (int i = running.size() - 1; i >= 0; i--) {
      Sequence s = running.get(i);
      running.remove(i);
      context.forget(s.slot.id, 0);
      s.slot.truncate(0);
      end(s, null, new IllegalStateException(why));
    }
  }

  private void end(Sequence s, FinishReason reason, RuntimeException error) {
    String tail = error == null ? s.text.flush() : "";
    if (s.slot != null) {
      s.slot.active = null;
      s.slot.lastUsed = ++clock;
    }
    s.sampler.close();
    s.events.add(new Sequence.End(reason, s.generated, tail, error));
  }

  private void failAll(RuntimeException error) {
    for (Sequence s; (s = arrivals.poll()) != null; ) {
      waiting.add(s);
    }
    for (Sequence s : waiting) {
      end(s, null, error);
    }
    waiting.clear();
    for (Sequence s : running) {
      end(s, null, error);
    }
    running.clear();
  }
}
