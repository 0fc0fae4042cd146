package io.inferd.app;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where gRPC runs its call handlers: a first-in-first-out {@link ForkJoinPool} with one worker per
 * core, as grpc-java's own benchmark servers use, instead of grpc-java's default cached pool. That
 * pool hands every callback (start, message, half-close, complete) to a parked thread through a
 * synchronous queue, one wake-up each; these workers stay busy under load and take the next
 * callback from their queue. Work that blocks on a worker (a unary call generating on its handler
 * thread with an engine that waits) says so through {@link ForkJoinPool#managedBlock}, and the pool
 * keeps a worker running.
 */
public final class CallExecutor {
  private static final Logger log = LoggerFactory.getLogger(CallExecutor.class);

  private CallExecutor() {}

  /** A pool of one daemon thread per core, named {@code inferd-grpc-N}. */
  public static ForkJoinPool create() {
    return new ForkJoinPool(
        Runtime.getRuntime().availableProcessors(),
        pool -> {
          ForkJoinWorkerThread thread =
              ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
          thread.setName("inferd-grpc-" + thread.getPoolIndex());
          return thread;
        },
        (thread, e) -> log.error("uncaught in gRPC call handler {}", thread.getName(), e),
        true); // FIFO: callbacks run in the order they arrived
  }
}
