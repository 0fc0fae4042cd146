package io.inferd.bench.peers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One closed-loop run: {@code concurrency} workers, each streaming {@code calls} answers back to
 * back, every prompt distinct (a request number up front) so no server answers from a cached
 * prompt.
 */
final class LoadRun {
  private static final AtomicInteger REQUESTS = new AtomicInteger();

  private LoadRun() {}

  /** A ~16-token prompt (with the chat template) that differs per request. */
  static String prompt() {
    return "Request " + REQUESTS.incrementAndGet() + ": tell me a story about the cat and the dog.";
  }

  static Stats run(StreamTarget target, int concurrency, int calls, int maxTokens)
      throws InterruptedException {
    List<StreamResult> results = Collections.synchronizedList(new ArrayList<>());
    List<String> errors = Collections.synchronizedList(new ArrayList<>());
    long start = System.nanoTime();
    try (var workers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < concurrency; w++) {
        futures.add(
            workers.submit(
                () -> {
                  for (int i = 0; i < calls; i++) {
                    try {
                      results.add(target.stream(prompt(), maxTokens));
                    } catch (Exception e) {
                      errors.add(e.toString());
                    }
                  }
                }));
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          errors.add(e.getCause().toString());
        }
      }
    }
    long wall = System.nanoTime() - start;
    return Stats.of(target.name(), concurrency, results, errors, wall);
  }

  /** The figures of one or more runs at one level on one target. */
  record Stats(
      String target,
      int concurrency,
      int streams,
      int errors,
      long tokens,
      double aggregateTokPerSec,
      double perStreamMedianTokPerSec,
      double ttftP50Millis,
      double ttftP99Millis,
      List<StreamResult> results,
      List<String> errorSamples) {

    static Stats of(
        String target,
        int concurrency,
        List<StreamResult> results,
        List<String> errors,
        long wall) {
      long tokens = results.stream().mapToLong(StreamResult::tokens).sum();
      return new Stats(
          target,
          concurrency,
          results.size(),
          errors.size(),
          tokens,
          wall > 0 ? tokens / (wall / 1e9) : 0,
          percentile(results.stream().mapToDouble(StreamResult::decodeTokPerSec).toArray(), 50),
          percentile(results.stream().mapToDouble(StreamResult::ttftMillis).toArray(), 50),
          percentile(results.stream().mapToDouble(StreamResult::ttftMillis).toArray(), 99),
          List.copyOf(results),
          errors.stream().distinct().limit(3).toList());
    }

    /** Rounds pooled: aggregate = mean of the rounds' aggregates; streams pooled for the rest. */
    static Stats pool(List<Stats> rounds) {
      List<StreamResult> all = new ArrayList<>();
      List<String> errors = new ArrayList<>();
      int errorCount = 0;
      for (Stats r : rounds) {
        all.addAll(r.results());
        errors.addAll(r.errorSamples());
        errorCount += r.errors();
      }
      Stats first = rounds.getFirst();
      return new Stats(
          first.target(),
          first.concurrency(),
          all.size(),
          errorCount,
          all.stream().mapToLong(StreamResult::tokens).sum(),
          rounds.stream().mapToDouble(Stats::aggregateTokPerSec).average().orElse(0),
          percentile(all.stream().mapToDouble(StreamResult::decodeTokPerSec).toArray(), 50),
          percentile(all.stream().mapToDouble(StreamResult::ttftMillis).toArray(), 50),
          percentile(all.stream().mapToDouble(StreamResult::ttftMillis).toArray(), 99),
          all,
          errors.stream().distinct().limit(3).toList());
    }
  }

  /** Nearest-rank percentile; 0 for no values. */
  static double percentile(double[] values, double p) {
    if (values.length == 0) {
      return 0;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
