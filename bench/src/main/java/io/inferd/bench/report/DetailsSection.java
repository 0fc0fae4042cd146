package io.inferd.bench.report;

import io.inferd.bench.report.Results.GhzFigures;
import io.inferd.bench.report.Results.GhzPair;
import io.inferd.bench.report.Results.LevelRow;
import io.inferd.bench.report.Results.ProtocolBlock;
import io.inferd.bench.report.Results.StreamsRow;
import io.inferd.bench.report.Results.WireRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** Per-level details, the real model, the ghz cross-check and the concurrent streams. */
final class DetailsSection extends ReportBase {
  DetailsSection(ReportBase shared) {
    super(shared);
  }

  String render(Map<String, String> charts) {
    details(charts);
    model();
    ghz();
    md.append(new TransportSection(this).render());
    streamsSection();
    return md.toString();
  }

  private void details(Map<String, String> charts) {
    if (r.protocol.isEmpty()) {
      return;
    }
    line("### Every level (BenchOnlyEngine)");
    line("");
    if (charts.containsKey("throughput")) {
      line("![throughput vs concurrency](" + charts.get("throughput") + ")");
      line("");
    }
    for (String scenario : SCENARIOS) {
      if (block("gRPC", scenario).isEmpty() && block("REST", scenario).isEmpty()) {
        continue;
      }
      line("#### " + SCENARIO_LABELS.get(scenario));
      line("");
      boolean stream = scenario.equals("stream");
      List<String> header =
          new ArrayList<>(List.of("protocol", "callers", "calls/s", "avg", "p50", "p99", "p99.9"));
      if (stream) {
        header.addAll(
            List.of("TTFT p50", "TTFT p99", "token gap p50", "token gap p99", "tokens/s"));
      }
      header.addAll(
          List.of(
              "server CPU/call",
              "server CPU use (" + 100 * cores() + "% = " + cores() + " cores)",
              "client CPU/call",
              "allocated/call",
              "connections",
              "errors"));
      table(header.toArray(String[]::new));
      for (String protocol : List.of("gRPC", "REST")) {
        Optional<ProtocolBlock> b = block(protocol, scenario);
        if (b.isEmpty()) {
          continue;
        }
        for (LevelRow l : b.get().levels()) {
          levelRow(l, stream);
        }
      }
      line("");
      List<String> memory = new ArrayList<>();
      for (String protocol : List.of("gRPC", "REST")) {
        block(protocol, scenario)
            .filter(b -> b.peakRssKb() > 0)
            .ifPresent(
                b ->
                    memory.add(
                        protocol
                            + ": RSS "
                            + kb(b.startRssKb())
                            + " at start, peak "
                            + kb(b.peakRssKb())
                            + "; peak heap used "
                            + bytes(b.peakHeapUsedBytes())
                            + ", live heap after full GC "
                            + bytes(b.liveHeapAfterGcBytes())));
      }
      if (!memory.isEmpty()) {
        line(
            "Server memory (memory pass: a fresh JVM per protocol, "
                + 16
                + " callers) — "
                + String.join("; ", memory)
                + ".");
        line("");
      }
      if (charts.containsKey("latency-" + scenario)) {
        line("![latency " + scenario + "](" + charts.get("latency-" + scenario) + ")");
        line("");
      }
      if (stream && charts.containsKey("ttft")) {
        line("![time to first token](" + charts.get("ttft") + ")");
        line("");
      }
    }
    line("#### Bytes on the wire per call");
    line("");
    table("scenario", "protocol", "request", "response", "total", "REST ÷ gRPC", "calls counted");
    for (String scenario : SCENARIOS) {
      Optional<WireRow> g = wire("gRPC", scenario, "");
      for (WireRow w : r.wire) {
        if (!w.scenario().equals(scenario)) {
          continue;
        }
        String label = w.protocol() + (w.variant().isEmpty() ? "" : " (" + w.variant() + ")");
        row(
            scenario,
            label,
            bytes(w.requestBytesPerCall()),
            bytes(w.responseBytesPerCall()),
            bytes(w.totalBytesPerCall()),
            w.protocol().equals("gRPC") || g.isEmpty()
                ? ""
                : times(w.totalBytesPerCall() / g.get().totalBytesPerCall()),
            w.calls());
      }
    }
    line("");
    line(
        "Streaming: gRPC sends each token as one length-prefixed Protobuf message in an HTTP/2 DATA"
            + " frame; REST sends each as an SSE event `data: {chat.completion.chunk JSON}\\n"
            + "\\n"
            + "` in a chunked HTTP/1.1 body. The JSON chunk repeats id, object, created and model"
            + " for every token.");
    line("");
  }

  private void levelRow(LevelRow l, boolean stream) {
    List<Object> cells = new ArrayList<>();
    cells.add(l.protocol());
    cells.add(l.concurrency());
    cells.add(num(l.callsPerSecond()));
    cells.add(l.latency() == null ? "–" : us(l.latency().meanUs()));
    cells.add(l.latency() == null ? "–" : us(l.latency().p50Us()));
    cells.add(l.latency() == null ? "–" : us(l.latency().p99Us()));
    cells.add(l.latency() == null ? "–" : us(l.latency().p999Us()));
    if (stream) {
      cells.add(l.timeToFirstToken() == null ? "–" : us(l.timeToFirstToken().p50Us()));
      cells.add(l.timeToFirstToken() == null ? "–" : us(l.timeToFirstToken().p99Us()));
      cells.add(l.interTokenGap() == null ? "–" : us(l.interTokenGap().p50Us()));
      cells.add(l.interTokenGap() == null ? "–" : us(l.interTokenGap().p99Us()));
      cells.add(num(l.tokensPerSecond()));
    }
    cells.add(us(l.serverCpuSecondsPer1000() * 1000));
    cells.add(percent(l.serverCpuUtilisation()));
    cells.add(us(l.clientCpuSecondsPer1000() * 1000));
    cells.add(bytes(l.allocatedBytesPerCall()));
    cells.add(l.serverConnections());
    cells.add(l.errors() == 0 ? "0" : l.errors() + " " + l.errorKinds());
    row(cells.toArray());
  }

  private void model() {
    line("## 3. Streaming on a real model (the engine dominates)");
    line("");
    if (r.model.isEmpty()) {
      line(r.modelNote == null ? "Not run." : r.modelNote + ".");
      line("");
      return;
    }
    line(
        "The streaming scenario again, on llama.cpp running the shared **stories260K** GGUF in the"
            + " same server JVM ("
            + r.modelNote
            + "). Here the engine decodes every token, on the same 2 cores.");
    line("");
    table(
        "protocol",
        "callers",
        "streams/s",
        "tokens/s",
        "avg stream",
        "TTFT p50",
        "TTFT p99",
        "token gap p50",
        "token gap p99",
        "server CPU/stream",
        "errors");
    for (LevelRow l : r.model) {
      row(
          l.protocol(),
          l.concurrency(),
          num(l.callsPerSecond()),
          num(l.tokensPerSecond()),
          l.latency() == null ? "–" : us(l.latency().meanUs()),
          l.timeToFirstToken() == null ? "–" : us(l.timeToFirstToken().p50Us()),
          l.timeToFirstToken() == null ? "–" : us(l.timeToFirstToken().p99Us()),
          l.interTokenGap() == null ? "–" : us(l.interTokenGap().p50Us()),
          l.interTokenGap() == null ? "–" : us(l.interTokenGap().p99Us()),
          us(l.serverCpuSecondsPer1000() * 1000),
          l.errors() == 0 ? "0" : l.errors() + " " + l.errorKinds());
    }
    line("");
    for (int c : new TreeSet<>(r.model.stream().map(LevelRow::concurrency).toList())) {
      Optional<LevelRow> g =
          r.model.stream()
              .filter(l -> l.protocol().equals("gRPC") && l.concurrency() == c)
              .findFirst();
      Optional<LevelRow> rr =
          r.model.stream()
              .filter(l -> l.protocol().equals("REST") && l.concurrency() == c)
              .findFirst();
      Optional<LevelRow> gBench = level("gRPC", "stream", c);
      Optional<LevelRow> rBench = level("REST", "stream", c);
      if (g.isPresent()
          && rr.isPresent()
          && g.get().latency() != null
          && rr.get().latency() != null) {
        String benchRatio =
            gBench.isPresent()
                    && rBench.isPresent()
                    && gBench.get().latency() != null
                    && rBench.get().latency() != null
                ? times(rBench.get().latency().meanUs() / gBench.get().latency().meanUs())
                : "–";
        line(
            "- "
                + callers(c)
                + ": REST ÷ gRPC stream duration "
                + times(rr.get().latency().meanUs() / g.get().latency().meanUs())
                + " on the real model"
                + (benchRatio.equals("–") ? "" : ", against " + benchRatio + " on BenchOnlyEngine")
                + "; tokens/s "
                + num(rr.get().tokensPerSecond())
                + " (REST) vs "
                + num(g.get().tokensPerSecond())
                + " (gRPC); time to first token "
                + (rr.get().timeToFirstToken() == null
                    ? "–"
                    : us(rr.get().timeToFirstToken().p50Us()))
                + " (REST) vs "
                + (g.get().timeToFirstToken() == null
                    ? "–"
                    : us(g.get().timeToFirstToken().p50Us()))
                + " (gRPC), p50.");
      }
    }
    if (nagle()) {
      line("");
      line(
          "Once the model does the work, stream duration and tokens per second are within the run-to-run"
              + " noise of each other; what remains is REST's first-token wait of ~40 ms, the gateway's TCP"
              + " setting described under \"Server behaviour this load exposed\".");
    }
    line("");
  }

  private void ghz() {
    line("## 4. Cross-check with ghz");
    line("");
    if (r.ghz.isEmpty()) {
      line(r.ghzNote == null ? "Not run." : r.ghzNote);
      line("");
      return;
    }
    line(
        "[ghz](https://ghz.sh) "
            + (r.ghzNote == null ? "" : r.ghzNote + " ")
            + "(Go, grpc-go) drove the same scenarios on the same warm server JVM (BenchOnlyEngine)"
            + " right after inferd-bench's own generator, both on one HTTP/2 connection, same"
            + " concurrency and duration, `--proto` from this repository. ghz reports no p99.9; its"
            + " call counts exclude calls in flight when the time ran out (`--duration-stop"
            + " ignore`).");
    line("");
    table(
        "scenario",
        "callers",
        "tool",
        "calls/s",
        "avg",
        "p50",
        "p90",
        "p99",
        "server CPU/call",
        "client CPU/call",
        "errors");
    List<String> flagged = new ArrayList<>();
    for (GhzPair pair : r.ghz) {
      for (GhzFigures f : List.of(pair.own(), pair.ghz())) {
        row(
            pair.scenario(),
            pair.concurrency(),
            f.tool(),
            num(f.callsPerSecond()),
            us(f.meanUs()),
            us(f.p50Us()),
            us(f.p90Us()),
            us(f.p99Us()),
            us(f.serverCpuSecondsPer1000() * 1000),
            us(f.clientCpuSecondsPer1000() * 1000),
            f.errors());
      }
      double rps = diff(pair.ghz().callsPerSecond(), pair.own().callsPerSecond());
      double mean = diff(pair.ghz().meanUs(), pair.own().meanUs());
      double p99 = diff(pair.ghz().p99Us(), pair.own().p99Us());
      List<String> big = new ArrayList<>();
      if (Math.abs(rps) > 0.15) {
        big.add("throughput " + signed(rps));
      }
      if (Math.abs(mean) > 0.15) {
        big.add("mean latency " + signed(mean));
      }
      if (Math.abs(p99) > 0.15) {
        big.add("p99 " + signed(p99));
      }
      if (!big.isEmpty()) {
        double serverCpu =
            diff(pair.ghz().serverCpuSecondsPer1000(), pair.own().serverCpuSecondsPer1000());
        flagged.add(
            pair.scenario()
                + " at "
                + callers(pair.concurrency())
                + ": ghz differs by "
                + String.join(", ", big)
                + ". Client CPU per call: "
                + us(pair.ghz().clientCpuSecondsPer1000() * 1000)
                + " (ghz) vs "
                + us(pair.own().clientCpuSecondsPer1000() * 1000)
                + " (inferd-bench); server CPU per call "
                + signed(serverCpu)
                + " under ghz. Client + server CPU per call caps a closed loop on "
                + cores()
                + " cores at "
                + num(ceiling(pair.ghz()))
                + " calls/s for ghz and "
                + num(ceiling(pair.own()))
                + " for inferd-bench (measured: "
                + num(pair.ghz().callsPerSecond())
                + " and "
                + num(pair.own().callsPerSecond())
                + ").");
      }
    }
    line("");
    if (flagged.isEmpty()) {
      line(
          "Every ghz figure is within 15% of inferd-bench's own for the same scenario and"
              + " concurrency.");
    } else {
      line("**Differences over 15%** (ghz relative to inferd-bench):");
      line("");
      flagged.forEach(f -> line("- " + f));
      line("");
      line(
          "Why they differ: client and server share "
              + cores()
              + " cores, so in a closed loop every CPU-second the client spends is taken from the"
              + " server. The ceilings above (cores ÷ (client + server CPU per call)) rank the two"
              + " tools as the measurements do: the one that costs more CPU per call — client side,"
              + " and where the server's figure moves too, server side — gets fewer calls through,"
              + " with latency rising to match (Little's law at fixed concurrency). Measured"
              + " throughput sits below the ceilings because other work shared the machine. The"
              + " server spends a little more per call under grpc-go than under grpc-java where the"
              + " row says so: the same calls reach it framed and flushed differently (not analysed"
              + " further). Neither tool's figure is \"the\" gRPC figure; the protocol comparison"
              + " in section 2 uses one client stack per protocol throughout.");
    }
    line("");
  }

  /**
   * The most calls per second the machine's cores allow when each call costs this much CPU in all.
   */
  private double ceiling(GhzFigures f) {
    double cpuPerCall = (f.serverCpuSecondsPer1000() + f.clientCpuSecondsPer1000()) / 1000;
    return cores() / cpuPerCall;
  }

  private static double diff(double theirs, double ours) {
    return theirs / ours - 1;
  }

  private static String signed(double fraction) {
    if (!Double.isFinite(fraction)) {
      return "–";
    }
    return (fraction >= 0 ? "+" : "−") + percent(Math.abs(fraction));
  }

  private void streamsSection() {
    line("## 5. Concurrent streams on one connection");
    line("");
    if (r.streams.isEmpty()) {
      line("Not run.");
      line("");
      return;
    }
    StreamsRow any = r.streams.get(0);
    line(
        "Target "
            + String.format(Locale.ROOT, "%,d", any.target())
            + " concurrent `StreamComplete` calls on ONE grpc-java channel (the server's max"
            + " concurrent streams per connection raised to fit, as `--max-streams-per-connection`"
            + " does for `inferd serve`), and the same number of streaming `POST"
            + " /v1/chat/completions` (SSE) over `HttpClient` HTTP/1.1. BenchOnlyEngine sends the"
            + " first token at once, then one token per stream every few seconds: the streams are"
            + " open and nearly idle. Heap per stream = (heap after full GC with the streams open −"
            + " heap after full GC before) ÷ streams held; likewise RSS. Opened in batches of"
            + " 250.");
    line("");
    table(
        "protocol",
        "held / target",
        "time to open",
        "server connections",
        "heap per stream",
        "RSS per stream",
        "server threads",
        "server open files",
        "client open files",
        "failures");
    for (StreamsRow s : r.streams) {
      row(
          s.protocol(),
          String.format(Locale.ROOT, "%,d / %,d", s.opened(), s.target()),
          String.format(Locale.ROOT, "%.1f s", s.secondsToOpen()),
          String.format(Locale.ROOT, "%,d", s.serverConnections()),
          s.opened() >= s.target() ? bytes(s.heapPerStreamBytes()) : "n/a (not held)",
          s.opened() >= s.target() ? kb(s.rssPerStreamKb()) : "n/a",
          s.threadsBaseline() + " → " + s.threadsWithStreams(),
          s.serverOpenFiles(),
          s.clientOpenFiles(),
          s.failed() == 0 ? "0" : s.failed() + " " + s.errorKinds());
    }
    line("");
    for (StreamsRow s : r.streams) {
      if (s.note() != null && !s.note().isEmpty()) {
        line("- " + s.protocol() + ": " + s.note() + ".");
      }
    }
    line(
        "- Both protocols hold one engine thread per stream in the server: inferd's core runs each"
            + " generation on a platform thread of its own (the `TextGenerator` SPI is blocking),"
            + " so the thread count and much of the RSS per stream are the engine's, not the"
            + " protocol's. The protocol's own share is in the heap figure and in the connections"
            + " and file descriptors.");
    line("");
  }
}
