package io.inferd.bench.load;

/** Makes one call of a scenario over one protocol; thread-safe, shared by all workers of a run. */
public interface CallDriver extends AutoCloseable {
  /**
   * Makes the call, reports each token to {@code timer}, checks the answer is complete, and throws
   * if it is not (the exception's kind is counted as an error).
   */
  void call(Metrics.CallTimer timer) throws Exception;

  @Override
  void close();
}
