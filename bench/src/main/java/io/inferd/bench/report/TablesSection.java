package io.inferd.bench.report;

import io.inferd.bench.Payloads;
import io.inferd.bench.report.Results.LevelRow;
import io.inferd.bench.report.Results.SerializationRow;
import io.inferd.bench.report.Results.StreamsRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoubleFunction;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/** The source document's two tables, mirrored with measured values and ratios. */
final class TablesSection extends ReportBase {
  TablesSection(ReportBase shared) {
    super(shared);
  }

  String render(Map<String, String> charts) {
    tableOne(charts);
    tableTwo(charts);
    return md.toString();
  }

  private void tableOne(Map<String, String> charts) {
    line("## 1. Protobuf vs JSON (the document's first table)");
    line("");
    line(
        "JMH 1.37, average time per operation, one thread; the value is built once, serialising it"
            + " and parsing its bytes are timed. **JSON (Jackson)** is what a REST client of inferd"
            + " does (Jackson data classes on the exact OpenAI JSON shapes the gateway reads and"
            + " writes); **JsonFormat** is protobuf-java-util's JSON mapping of the same Protobuf"
            + " message (compact). ± is JMH's 99.9% confidence half-width.");
    line("");
    Optional<SerializationRow> pb = ser("User", "protobuf");
    Optional<SerializationRow> js = ser("User", "jackson");
    Optional<SerializationRow> jf = ser("User", "jsonformat");
    if (pb.isPresent() && js.isPresent()) {
      line(
          "The document's `User` (`id \"user-42\"`, `name \"Kreath\"`, `email"
              + " \"kreath@example.com\"`, `age 30`, `tags [\"developer\", \"architect\"]`):");
      line("");
      table(
          "비교 항목 / item",
          "JSON (document)",
          "Protobuf (document)",
          "document ratio",
          "JSON, Jackson (measured)",
          "Protobuf (measured)",
          "measured ratio",
          "JSON, JsonFormat (measured)");
      row(
          "직렬화 크기 / encoded size",
          "120 bytes",
          "45 bytes",
          times(120 / 45.0),
          js.get().bytes() + " bytes",
          pb.get().bytes() + " bytes",
          times((double) js.get().bytes() / pb.get().bytes()),
          jf.map(f -> f.bytes() + " bytes").orElse("–"));
      row(
          "직렬화 시간 / serialise",
          "150 ns",
          "30 ns",
          times(5),
          nsErr(js.get().serializeNs(), js.get().serializeError()),
          nsErr(pb.get().serializeNs(), pb.get().serializeError()),
          times(js.get().serializeNs() / pb.get().serializeNs()),
          jf.map(f -> nsErr(f.serializeNs(), f.serializeError())).orElse("–"));
      row(
          "역직렬화 시간 / parse",
          "200 ns",
          "25 ns",
          times(8),
          nsErr(js.get().parseNs(), js.get().parseError()),
          nsErr(pb.get().parseNs(), pb.get().parseError()),
          times(js.get().parseNs() / pb.get().parseNs()),
          jf.map(f -> nsErr(f.parseNs(), f.parseError())).orElse("–"));
      row(
          "사람 가독성 / human readable",
          "high",
          "low (binary)",
          "",
          "yes",
          "no (binary; `protoc --decode` or reflection needed)",
          "",
          "yes");
      row(
          "스키마 진화 / schema evolution",
          "informal",
          "field numbers",
          "",
          "by convention (ignore unknown fields)",
          "field numbers; unknown fields kept",
          "",
          "field names; unknown fields rejected by default");
      line("");
      line(
          "The document's Protobuf size of 45 bytes cannot be right for these values: the five"
              + " fields encode to exactly "
              + pb.get().bytes()
              + " bytes (9 + 8 + 20 + 2 + 11 + 11: a tag and length byte per field plus the text)."
              + " Its JSON size of 120 bytes fits pretty-printed JSON; compact JSON is "
              + js.get().bytes()
              + " bytes.");
      line("");
    }
    line(
        "inferd's real messages (JSON = the OpenAI shapes the REST gateway produces;"
            + " `CompleteRequest` with the 3-message conversation, `CompleteResponse` with a "
            + Payloads.UNARY_MAX_TOKENS
            + "-token answer, one mid-stream `StreamChunk`,"
            + " `BatchEmbedResponse` with 16 × 384 floats):");
    line("");
    table(
        "payload",
        "encoding",
        "size",
        "vs Protobuf",
        "serialise",
        "vs Protobuf",
        "parse",
        "vs Protobuf",
        "allocated (ser / parse)");
    for (SerializationRow row : r.serialization) {
      Optional<SerializationRow> base = ser(row.payload().replace("/base64", ""), "protobuf");
      String format = row.payload().endsWith("/base64") ? "jackson, base64 vectors" : row.format();
      row(
          row.payload().replace("/base64", ""),
          format,
          bytes(row.bytes()),
          base.map(b -> times((double) row.bytes() / b.bytes())).orElse("–"),
          nsErr(row.serializeNs(), row.serializeError()),
          base.map(b -> times(row.serializeNs() / b.serializeNs())).orElse("–"),
          nsErr(row.parseNs(), row.parseError()),
          base.map(b -> times(row.parseNs() / b.parseNs())).orElse("–"),
          bytes(row.serializeAllocBytes()) + " / " + bytes(row.parseAllocBytes()));
    }
    line("");
    if (charts.containsKey("serialize")) {
      line(
          "![serialise time]("
              + charts.get("serialize")
              + ") ![parse time]("
              + charts.get("parse")
              + ")");
      line("");
    }
  }

  private static String nsErr(double score, double error) {
    if (!Double.isFinite(error) || error == 0) {
      return ns(score);
    }
    if (score < 10_000) {
      return String.format(Locale.ROOT, "%,.0f ± %,.0f ns", score, error);
    }
    return String.format(Locale.ROOT, "%,.1f ± %,.1f µs", score / 1000, error / 1000);
  }

  private void tableTwo(Map<String, String> charts) {
    int c = headline();
    line("## 2. REST vs gRPC (the document's second table)");
    line("");
    line(
        "The same inferd server JVM serves gRPC (Netty, HTTP/2) and the OpenAI-compatible REST"
            + " gateway (Helidon, HTTP/1.1) over one request core; the engine is"
            + " **BenchOnlyEngine** (pre-generated tokens, fixed unit vectors, no compute), so what"
            + " differs is the protocol stack. Client: grpc-java on one channel vs"
            + " `java.net.http.HttpClient` (HTTP/1.1, its keep-alive pool), both parsing every"
            + " answer. Closed loop, "
            + c
            + " concurrent callers for this table; gRPC and REST windows alternate on the same"
            + " server JVM (gRPC, REST, REST, gRPC, …) so that the background load of this shared"
            + " machine falls on both alike.");
    line("");
    table(
        "지표 / metric",
        "REST (document)",
        "gRPC (document)",
        "document",
        "scenario",
        "REST (measured)",
        "gRPC (measured)",
        "measured");
    claimRows(
        new String[] {"평균 지연시간 / avg latency", "250 ms", "25 ms", "10×"},
        scenario -> latencyCells(scenario, c, MEAN));
    claimRows(
        new String[] {"P99 지연시간 / P99 latency", "800 ms", "80 ms", "10×"},
        scenario -> latencyCells(scenario, c, P99));
    claimRows(
        new String[] {"직렬화 크기 / bytes on the wire per call", "2.4 KB", "0.8 KB", "3×"},
        scenario ->
            both(wire("gRPC", scenario, ""), wire("REST", scenario, ""))
                .map(
                    w ->
                        new String[] {
                          bytes(w.rest().totalBytesPerCall()),
                          bytes(w.grpc().totalBytesPerCall()),
                          times(w.rest().totalBytesPerCall() / w.grpc().totalBytesPerCall())
                        }));
    claimRows(
        new String[] {"CPU 사용량 / server CPU per call", "100%", "60%", "40% less"},
        scenario ->
            both(level("gRPC", scenario, c), level("REST", scenario, c))
                .map(
                    l ->
                        shareCells(
                            l.grpc().serverCpuSecondsPer1000(),
                            l.rest().serverCpuSecondsPer1000(),
                            TablesSection::ms)));
    claimRows(
        new String[] {"메모리 사용량 / server peak RSS", "100%", "70%", "30% less"},
        scenario ->
            both(block("gRPC", scenario), block("REST", scenario))
                .filter(b -> b.grpc().peakRssKb() > 0 && b.rest().peakRssKb() > 0)
                .map(b -> shareCells(b.grpc().peakRssKb(), b.rest().peakRssKb(), ReportBase::kb)));
    claimRows(
        new String[] {"(memory) heap allocated per call", "", "", ""},
        scenario ->
            both(level("gRPC", scenario, c), level("REST", scenario, c))
                .map(
                    l ->
                        shareCells(
                            l.grpc().allocatedBytesPerCall(),
                            l.rest().allocatedBytesPerCall(),
                            ReportBase::bytes)));
    Optional<StreamsRow> gs = streams("gRPC");
    Optional<StreamsRow> rs = streams("REST");
    if (gs.isPresent() && rs.isPresent()) {
      row(
          "동시 연결 수 / concurrent streams",
          "1000 (pool)",
          "10000+ (multiplexing)",
          "10×",
          "idle streams",
          String.format(
              Locale.ROOT,
              "%,d held on %,d connections",
              rs.get().opened(),
              rs.get().serverConnections()),
          String.format(
              Locale.ROOT,
              "%,d held on %,d connection",
              gs.get().opened(),
              gs.get().serverConnections()),
          times((double) gs.get().opened() / Math.max(1, rs.get().opened()))
              + " streams; "
              + connectionsPerStream(rs.get()));
    }
    Optional<LevelRow> gu = level("gRPC", "unary", c);
    Optional<LevelRow> ru = level("REST", "unary", c);
    if (gu.isPresent() && ru.isPresent()) {
      row(
          "(connections the load needed)",
          "",
          "",
          "",
          "unary, c=" + c,
          ru.get().serverConnections(),
          gu.get().serverConnections(),
          "");
    }
    line("");
    if (nagle()) {
      line(
          "REST's stream and embed latencies include the ~40 ms TCP wait described under \"Server"
              + " behaviour this load exposed\"; the unary answers (one small write) do not meet"
              + " it.");
      line("");
    }
    line(
        "With a fixed heap (-Xms = -Xmx) a busy JVM's RSS grows to heap plus native overhead"
            + " whatever the protocol, so peak RSS says little about the protocol; allocation per"
            + " call and the live heap say more.");
    line("");
    line(
        "CPU is the server process's user + system time from `/proc/<pid>/stat` over the measured"
            + " window (JIT and GC included), per call; peak RSS is `VmHWM` of a fresh server JVM"
            + " that served only that scenario and protocol (warm-up, then 16 callers; the memory"
            + " pass); allocation is the server JVM's `getTotalThreadAllocatedBytes()` over the"
            + " window, per call. Bytes on the wire are counted by a loopback proxy at the socket,"
            + " both directions, sequential calls on one warm connection (HTTP headers, HTTP/2"
            + " frames and SSE framing included; TCP/IP headers excluded).");
    line("");
  }

  private static String connectionsPerStream(StreamsRow rest) {
    if (rest.opened() == 0) {
      return "";
    }
    return String.format(
        Locale.ROOT,
        "REST: %.2f connections per stream",
        (double) rest.serverConnections() / rest.opened());
  }

  private static String ms(double cpuSecondsPer1000) {
    return us(cpuSecondsPer1000 * 1000) + " CPU";
  }

  /** A measurement of both protocols. */
  private record Pair<T>(T grpc, T rest) {}

  private static <T> Optional<Pair<T>> both(Optional<T> grpc, Optional<T> rest) {
    return grpc.isPresent() && rest.isPresent()
        ? Optional.of(new Pair<>(grpc.get(), rest.get()))
        : Optional.empty();
  }

  /**
   * One row per scenario for a claim of the document, its four cells in the first row only; a
   * scenario without both measurements is left out.
   */
  private void claimRows(String[] claim, Function<String, Optional<String[]>> measured) {
    for (String scenario : SCENARIOS) {
      Optional<String[]> cells = measured.apply(scenario);
      if (cells.isEmpty()) {
        continue;
      }
      boolean first = scenario.equals("unary");
      List<Object> row = new ArrayList<>();
      for (String cell : claim) {
        row.add(first ? cell : "");
      }
      row.add(scenario);
      row.addAll(List.of(cells.get()));
      row(row.toArray());
    }
  }

  /** REST, gRPC and REST ÷ gRPC of a latency at {@code c} callers. */
  private Optional<String[]> latencyCells(
      String scenario, int c, ToDoubleFunction<LevelRow> metric) {
    return both(level("gRPC", scenario, c), level("REST", scenario, c))
        .filter(l -> l.grpc().latency() != null && l.rest().latency() != null)
        .map(
            l ->
                new String[] {
                  us(metric.applyAsDouble(l.rest())),
                  us(metric.applyAsDouble(l.grpc())),
                  times(metric.applyAsDouble(l.rest()) / metric.applyAsDouble(l.grpc()))
                });
  }

  /** REST as 100%, gRPC as a share of it, and how much less gRPC uses. */
  private static String[] shareCells(double grpc, double rest, DoubleFunction<String> unit) {
    return new String[] {
      "100% (" + unit.apply(rest) + ")",
      percent(grpc / rest) + " (" + unit.apply(grpc) + ")",
      lessOrMore(1 - grpc / rest)
    };
  }
}
