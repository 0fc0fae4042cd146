package io.inferd.bench.report;

import io.inferd.bench.Payloads;
import io.inferd.bench.report.Results.LevelRow;
import io.inferd.bench.report.Results.ProtocolBlock;
import io.inferd.bench.report.Results.SerializationRow;
import io.inferd.bench.report.Results.StreamsRow;
import io.inferd.bench.report.Results.WireRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The short benchmark section for README.md. */
final class ReadmeSection extends ReportBase {
  ReadmeSection(ReportBase shared) {
    super(shared);
  }

  String render() {
    return readmeSection();
  }

  // ------------------------------------------------------------------ README section

  private String readmeSection() {
    StringBuilder s = new StringBuilder();
    s.append("## Benchmarks\n\n");
    s.append(
        "`./bench.sh` measures the source document's performance claims on inferd itself and writes"
            + " [docs/bench/REPORT.md](docs/bench/REPORT.md) (tables, charts, method); `./bench.sh"
            + " --quick` is a smoke run of under 3 minutes. On 2 shared cores, with the"
            + " benchmark-only engine (no model compute) so that only the protocol stacks"
            + " differ:\n\n");
    Optional<SerializationRow> pb = ser("User", "protobuf");
    Optional<SerializationRow> js = ser("User", "jackson");
    if (pb.isPresent() && js.isPresent()) {
      double[] serRange = payloadRange(SerializationRow::serializeNs);
      double[] parseRange = payloadRange(SerializationRow::parseNs);
      double[] size = payloadSizeReduction();
      s.append("- **Protobuf vs JSON (Jackson)**: the document's `User` is ")
          .append(pb.get().bytes())
          .append(" vs ")
          .append(js.get().bytes())
          .append(" bytes (the document says 45 vs 120), serialises ")
          .append(times(js.get().serializeNs() / pb.get().serializeNs()))
          .append(" and parses ")
          .append(times(js.get().parseNs() / pb.get().parseNs()))
          .append(" faster (claimed 5-10×). On inferd's own messages Protobuf is ")
          .append(percent(size[0]))
          .append("-")
          .append(percent(size[1]))
          .append(" smaller (claimed 60-80%), serialises ")
          .append(range(serRange))
          .append(" and parses ")
          .append(range(parseRange))
          .append(" faster.\n");
    }
    int c = headline();
    List<String> perScenario = new ArrayList<>();
    for (String scenario : SCENARIOS) {
      Optional<LevelRow> g = level("gRPC", scenario, c);
      Optional<LevelRow> rr = level("REST", scenario, c);
      Optional<WireRow> gw = wire("gRPC", scenario, "");
      Optional<WireRow> rw = wire("REST", scenario, "");
      if (g.isEmpty() || rr.isEmpty() || g.get().latency() == null || rr.get().latency() == null) {
        continue;
      }
      perScenario.add(
          "*"
              + SCENARIO_LABELS.get(scenario)
              + "*: average latency "
              + us(rr.get().latency().meanUs())
              + " vs "
              + us(g.get().latency().meanUs())
              + " ("
              + times(rr.get().latency().meanUs() / g.get().latency().meanUs())
              + "), p99 "
              + times(rr.get().latency().p99Us() / g.get().latency().p99Us())
              + ", server CPU per call "
              + lessOrMore(
                  1 - g.get().serverCpuSecondsPer1000() / rr.get().serverCpuSecondsPer1000())
              + " with gRPC"
              + (gw.isPresent() && rw.isPresent()
                  ? ", "
                      + times(rw.get().totalBytesPerCall() / gw.get().totalBytesPerCall())
                      + " fewer bytes on the wire"
                  : "")
              + ", heap allocated per call "
              + lessOrMore(1 - g.get().allocatedBytesPerCall() / rr.get().allocatedBytesPerCall()));
    }
    if (!perScenario.isEmpty()) {
      s.append("- **gRPC vs REST at ")
          .append(c)
          .append(
              " callers** (REST ÷ gRPC; the document claims 10× latency, 40% less CPU,"
                  + " 30% less memory, 3× smaller messages): ")
          .append(String.join("; ", perScenario))
          .append(".\n");
      List<String> rss = new ArrayList<>();
      for (String scenario : SCENARIOS) {
        Optional<ProtocolBlock> gb = block("gRPC", scenario);
        Optional<ProtocolBlock> rb = block("REST", scenario);
        if (gb.isPresent()
            && rb.isPresent()
            && gb.get().peakRssKb() > 0
            && rb.get().peakRssKb() > 0) {
          rss.add(
              scenario
                  + " "
                  + lessOrMore(1 - (double) gb.get().peakRssKb() / rb.get().peakRssKb()));
        }
      }
      if (!rss.isEmpty()) {
        s.append("  Server peak RSS with gRPC, fixed heap: ")
            .append(String.join(", ", rss))
            .append(".\n");
      }
    }
    Optional<StreamsRow> gs = streams("gRPC");
    Optional<StreamsRow> rs = streams("REST");
    if (gs.isPresent() && rs.isPresent()) {
      s.append(
          String.format(
              Locale.ROOT,
              "- **Concurrent streams**: %,d idle token streams on one HTTP/2 connection (%s heap"
                  + " each); REST held %,d SSE streams, one TCP connection each.%n",
              gs.get().opened(),
              bytes(gs.get().heapPerStreamBytes()),
              rs.get().opened()));
    }
    firstEventWaitLevel()
        .ifPresent(
            level ->
                s.append("- **REST streaming** figures carry a ~40 ms wait for the first event")
                    .append(" (time to first token ")
                    .append(us(level("REST", "stream", level).get().timeToFirstToken().p50Us()))
                    .append(" vs ")
                    .append(us(level("gRPC", "stream", level).get().timeToFirstToken().p50Us()))
                    .append(" over gRPC), the signature of Nagle's algorithm meeting the client's")
                    .append(" delayed ACK; see the report's \"Server behaviour\" section.\n"));
    Optional<LevelRow> grpcStream = level("gRPC", "stream", c);
    if (grpcStream.isPresent()
        && grpcStream.get().allocatedBytesPerCall() / (Payloads.STREAM_TOKENS + 1) > 8 * 1024) {
      s.append("- **gRPC streaming allocates ")
          .append(bytes(grpcStream.get().allocatedBytesPerCall() / (Payloads.STREAM_TOKENS + 1)))
          .append(" of server heap per token**; see the report.\n");
    }
    if (!r.model.isEmpty()) {
      s.append(
          "- **On a real model** (llama.cpp, stories260K) the engine sets the pace and the"
              + " protocols' streaming figures move closer; see section 3 of the report.\n");
    }
    if (!unsupported.isEmpty()) {
      s.append("\nClaims of the source document these measurements do not (fully) support:\n\n");
      for (String[] claim : unsupported) {
        s.append("- ").append(claim[0]).append(": ").append(claim[1]).append('\n');
      }
    }
    s.append(
        "\n"
            + "The document itself notes that model inference time (500-5000 ms) dwarfs protocol"
            + " overhead; the report's real-model section measures how much of the difference"
            + " remains.\n");
    return s.toString();
  }
}
