package io.inferd.bench.report;

import io.inferd.bench.Payloads;
import io.inferd.bench.report.Results.LevelRow;
import io.inferd.bench.report.Results.ProtocolBlock;
import io.inferd.bench.report.Results.StreamsRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** What the load showed about the server, each note only when this run's data shows it. */
final class FindingsSection extends ReportBase {
  FindingsSection(ReportBase shared) {
    super(shared);
  }

  String render() {
    findings();
    return md.toString();
  }

  /** What the load showed about the server itself; each note only when this run's data shows it. */
  /** Measurements only: what the server's code does is read from the code, not restated here. */
  private void findings() {
    List<String> notes = new ArrayList<>();
    OptionalInt waits = firstEventWaitLevel();
    if (waits.isPresent()) {
      int c = waits.getAsInt();
      notes.add(
          "**REST streams wait about 40 ms for their first event.** Time to first token over REST"
              + " is "
              + us(level("REST", "stream", c).get().timeToFirstToken().p50Us())
              + " (p50, "
              + callers(c)
              + ") against "
              + us(level("gRPC", "stream", c).get().timeToFirstToken().p50Us())
              + " over gRPC, on an engine that has every token at once. A wait of about 40 ms on a"
              + " kept-alive connection is the signature of Nagle's algorithm meeting the"
              + " client's delayed ACK (check the REST sockets' TCP_NODELAY); it is configuration,"
              + " not protocol cost, and it caps a REST caller at about 20 streams per second."
              + level("REST", "embed", 1)
                  .filter(e -> e.latency() != null && e.latency().p50Us() >= 30_000)
                  .map(
                      e ->
                          " The same delay hits the large ("
                              + wire("REST", "embed", "")
                                  .map(w -> bytes(w.responseBytesPerCall()))
                                  .orElse("75 KiB")
                              + ") embeddings answer: p50 "
                              + us(e.latency().p50Us())
                              + " for one caller, against "
                              + level("gRPC", "embed", 1)
                                  .filter(g -> g.latency() != null)
                                  .map(g -> us(g.latency().p50Us()))
                                  .orElse("–")
                              + " over gRPC.")
                  .orElse(""));
    }
    Optional<LevelRow> grpcStream = level("gRPC", "stream", headline());
    Optional<LevelRow> restStream = level("REST", "stream", headline());
    if (grpcStream.isPresent()
        && grpcStream.get().allocatedBytesPerCall() / (Payloads.STREAM_TOKENS + 1) > 8 * 1024) {
      notes.add(
          "**The gRPC server allocates about "
              + bytes(grpcStream.get().allocatedBytesPerCall() / (Payloads.STREAM_TOKENS + 1))
              + " of heap per streamed token** ("
              + bytes(grpcStream.get().allocatedBytesPerCall())
              + " per 256-token stream"
              + restStream.map(r -> ", REST " + bytes(r.allocatedBytesPerCall())).orElse("")
              + "), more than a token's message needs; a JFR allocation profile of the server"
              + " shows where. It costs GC work on every token.");
    }
    Optional<LevelRow> grpcUnary = level("gRPC", "unary", headline());
    Optional<LevelRow> restUnary = level("REST", "unary", headline());
    if (grpcUnary.isPresent()
        && restUnary.isPresent()
        && grpcUnary.get().serverCpuSecondsPer1000()
            > 1.1 * restUnary.get().serverCpuSecondsPer1000()) {
      notes.add(
          "**For unary calls the server spends more CPU per call on gRPC than on REST** ("
              + us(grpcUnary.get().serverCpuSecondsPer1000() * 1000)
              + " vs "
              + us(restUnary.get().serverCpuSecondsPer1000() * 1000)
              + " at "
              + headline()
              + " callers): for these small bodies the gRPC path (HTTP/2 framing and HPACK, the"
              + " interceptors) costs the server more here than HTTP/1.1 with JSON does. Where gRPC still gets more calls through, it"
              + " is on the client side (grpc-java spends "
              + us(grpcUnary.get().clientCpuSecondsPer1000() * 1000)
              + " per call, the JDK HttpClient "
              + us(restUnary.get().clientCpuSecondsPer1000() * 1000)
              + "), which on shared cores leaves the server more CPU.");
    }
    long poolErrors = 0;
    long restCalls = 0;
    for (ProtocolBlock b : r.protocol) {
      if (b.protocol().equals("REST")) {
        for (LevelRow l : b.levels()) {
          restCalls += l.calls();
          poolErrors +=
              l.errorKinds().entrySet().stream()
                  .filter(e -> e.getKey().contains("Data received while in pool"))
                  .mapToLong(Map.Entry::getValue)
                  .sum();
        }
      }
    }
    if (poolErrors > 0) {
      notes.add(
          String.format(
                  Locale.ROOT,
                  "**%,d of %,d REST calls failed in the client with `IOException: Data received"
                      + " while in pool`**:",
                  poolErrors,
                  restCalls + poolErrors)
              + " the JDK HttpClient found bytes arriving on a kept-alive connection that had no"
              + " request outstanding, so something reached the client after a complete response."
              + " Rare, seen only at high concurrency; the cause was not investigated (the server's"
              + " access log is off in these runs).");
    }
    for (StreamsRow row : r.streams) {
      if (row.note() != null && row.note().contains("stopped for good")) {
        notes.add(
            "**Running out of file descriptors stops the REST gateway for good.** With the server"
                + " limited to "
                + row.protocol().replace("REST, server at nofile ", "")
                + " open files, "
                + String.format(Locale.ROOT, "%,d", row.target())
                + " SSE requests made Helidon's accept fail with `Too many open files`, after which"
                + " its listener logged \"this server socket is terminating now\" and refused every"
                + " later connection (also once the streams were gone); gRPC's health check still"
                + " said SERVING. A server that must hold many SSE streams needs its open-files"
                + " limit raised, and the gateway does not recover from hitting it.");
      }
    }
    if (notes.isEmpty()) {
      return;
    }
    line("## Server behaviour this load exposed");
    line("");
    line(
        "Found while measuring; reported here, not changed (the benchmark measures the server as it"
            + " is).");
    line("");
    notes.forEach(n -> line("- " + n));
    line("");
  }
}
