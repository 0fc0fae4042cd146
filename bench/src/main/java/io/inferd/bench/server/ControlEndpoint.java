package io.inferd.bench.server;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.inferd.bench.load.ProcStats;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmark's side channel into the server JVM, on its own port: heap in use (now, peak since
 * the last reset, and after a full GC), bytes allocated, threads, RSS and open files. The load
 * generator asks it between measurements only, so it adds nothing to the calls being measured. CPU
 * time is read from /proc by the load generator itself.
 */
final class ControlEndpoint implements AutoCloseable {
  private static final JsonMapper JSON = new JsonMapper();

  private final HttpServer http;
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final AtomicLong peakHeapUsed = new AtomicLong();
  private final Thread sampler;
  private final long pid = ProcessHandle.current().pid();

  private ControlEndpoint(HttpServer http) {
    this.http = http;
    // Heap "used" changes with every allocation and GC; sampling every 10 ms catches its peaks.
    this.sampler =
        Thread.ofPlatform()
            .daemon()
            .name("bench-heap-sampler")
            .start(
                () -> {
                  while (!Thread.currentThread().isInterrupted()) {
                    long used = memory.getHeapMemoryUsage().getUsed();
                    peakHeapUsed.accumulateAndGet(used, Math::max);
                    try {
                      Thread.sleep(10);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
  }

  static ControlEndpoint start(String host) throws IOException {
    HttpServer http = HttpServer.create(new InetSocketAddress(host, 0), 16);
    http.setExecutor(Executors.newSingleThreadExecutor());
    ControlEndpoint control = new ControlEndpoint(http);
    http.createContext("/stats", exchange -> control.answer(exchange, control.stats()));
    http.createContext(
        "/reset",
        exchange -> {
          control.peakHeapUsed.set(control.memory.getHeapMemoryUsage().getUsed());
          control.answer(exchange, control.stats());
        });
    http.createContext(
        "/gc",
        exchange -> {
          // Twice, with a pause: the first full GC may leave finalizable and reference-queued
          // objects.
          System.gc();
          sleep(200);
          System.gc();
          sleep(200);
          control.answer(exchange, control.stats());
        });
    http.start();
    return control;
  }

  int port() {
    return http.getAddress().getPort();
  }

  private ObjectNode stats() {
    var heap = memory.getHeapMemoryUsage();
    ObjectNode stats = JSON.createObjectNode();
    stats.put("heapUsed", heap.getUsed());
    stats.put("heapCommitted", heap.getCommitted());
    stats.put("heapMax", heap.getMax());
    stats.put("peakHeapUsed", Math.max(peakHeapUsed.get(), heap.getUsed()));
    stats.put("allocatedBytes", allocatedBytes());
    stats.put("threads", ProcStats.threads(pid));
    stats.put("rssKb", ProcStats.rssKb(pid));
    stats.put("hwmKb", ProcStats.hwmKb(pid));
    stats.put("openFiles", ProcStats.openFiles(pid));
    return stats;
  }

  /**
   * Bytes allocated on the heap by all threads since start (virtual threads count on their
   * carriers).
   */
  private static long allocatedBytes() {
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads) {
      return threads.getTotalThreadAllocatedBytes();
    }
    return -1;
  }

  private void answer(HttpExchange exchange, ObjectNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("content-type", "application/json");
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    sampler.interrupt();
    http.stop(0);
  }
}
