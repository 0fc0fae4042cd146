package io.inferd.engine.llama;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/** A llama_batch of up to {@code capacity} tokens, each of one sequence; reused step after step. */
final class Batch implements AutoCloseable {
  private final Arena arena = Arena.ofShared();
  private final MemorySegment struct;
  private final MemorySegment tokens;
  private final MemorySegment positions;
  private final MemorySegment seqCounts;
  private final MemorySegment seqIds;
  private final MemorySegment outputs;
  private final int capacity;
  private final long nTokensOffset;
  private int size;
  private boolean closed;

  Batch(int capacity) {
    this.capacity = capacity;
    try {
      struct =
          (MemorySegment) LlamaApi.batch_init.invokeExact((SegmentAllocator) arena, capacity, 0, 1);
    } catch (Throwable e) {
      throw new IllegalStateException("llama_batch_init", e);
    }
    nTokensOffset = LlamaApi.offset("llama_batch.n_tokens");
    tokens = array("token", JAVA_INT.byteSize());
    positions = array("pos", JAVA_INT.byteSize());
    seqCounts = array("n_seq_id", JAVA_INT.byteSize());
    seqIds = array("seq_id", ADDRESS.byteSize());
    outputs = array("logits", 1);
  }

  private MemorySegment array(String field, long elementSize) {
    MemorySegment p = struct.get(ADDRESS, LlamaApi.offset("llama_batch." + field));
    return p.reinterpret(elementSize * capacity);
  }

  int capacity() {
    return capacity;
  }

  int size() {
    return size;
  }

  boolean isFull() {
    return size == capacity;
  }

  void clear() {
    size = 0;
  }

  /** Adds a token and returns its index in the batch. */
  int add(int token, int position, int sequence, boolean wantLogits) {
    if (size == capacity) {
      throw new IllegalStateException("batch full: " + capacity);
    }
    int i = size++;
    tokens.setAtIndex(JAVA_INT, i, token);
    positions.setAtIndex(JAVA_INT, i, position);
    seqCounts.setAtIndex(JAVA_INT, i, 1);
    seqIds.getAtIndex(ADDRESS, i).reinterpret(JAVA_INT.byteSize()).set(JAVA_INT, 0, sequence);
    outputs.set(JAVA_BYTE, i, (byte) (wantLogits ? 1 : 0));
    return i;
  }

  /** The struct to pass by value, with the current token count. */
  MemorySegment struct() {
    struct.set(JAVA_INT, nTokensOffset, size);
    return struct;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      LlamaApi.free(LlamaApi.batch_free, struct(), "llama_batch_free");
    } finally {
      arena.close();
    }
  }
}
