package io.inferd.bench.server;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.inferd.bench.load.ProcStats;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

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
  private final long pid = ProcessHandle.current().pid();
  private final NotificationListener beforeGc;
  private final Set<String> heapPools =
      ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(pool -> pool.getType() == MemoryType.HEAP)
          .map(MemoryPoolMXBean::getName)
          .collect(Collectors.toSet());

  private ControlEndpoint(HttpServer http) {
    this.http = http;
    // The heap peaks just before each collection: every GC reports what it found, so nothing
    // polls while calls are measured (a 10 ms sampler thread cost the server ~1.5% of its CPU).
    this.beforeGc =
        (notification, handback) -> {
          if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
              notification.getType())) {
            var gc =
                GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
            long used =
                gc.getGcInfo().getMemoryUsageBeforeGc().entrySet().stream()
                    .filter(pool -> heapPools.contains(pool.getKey()))
                    .mapToLong(pool -> pool.getValue().getUsed())
                    .sum();
            peakHeapUsed.accumulateAndGet(used, Math::max);
          }
        };
    for (var collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (collector instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(beforeGc, null, null);
      }
    }
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
    for (var collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (collector instanceof NotificationEmitter emitter) {
        try {
          emitter.removeNotificationListener(beforeGc);
        } catch (ListenerNotFoundException e) {
          // not registered with this collector
        }
      }
    }
    http.stop(0);
  }
}
