package io.inferd.bench.report;

import io.inferd.bench.report.Results.LevelRow;
import io.inferd.bench.report.Results.ProtocolBlock;
import io.inferd.bench.report.Results.SerializationRow;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The PNG charts of the report; a chart that cannot be drawn is noted, not fatal. */
final class ChartSet extends ReportBase {
  ChartSet(ReportBase shared) {
    super(shared);
  }

  // ------------------------------------------------------------------ charts

  Map<String, String> charts(Path dir) {
    Map<String, String> files = new LinkedHashMap<>();
    System.setProperty("java.awt.headless", "true");
    try {
      if (!r.serialization.isEmpty()) {
        List<String> payloads = new ArrayList<>();
        Map<String, List<Double>> serialize = new LinkedHashMap<>();
        Map<String, List<Double>> parse = new LinkedHashMap<>();
        for (SerializationRow row : r.serialization) {
          if (row.payload().contains("/")) {
            continue; // the base64 variant has no Protobuf counterpart
          }
          if (!payloads.contains(row.payload())) {
            payloads.add(row.payload());
          }
        }
        for (String format : List.of("protobuf", "jackson", "jsonformat")) {
          List<Double> s = new ArrayList<>();
          List<Double> p = new ArrayList<>();
          for (String payload : payloads) {
            Optional<SerializationRow> row = ser(payload, format);
            s.add(row.map(SerializationRow::serializeNs).filter(Double::isFinite).orElse(1.0));
            p.add(row.map(SerializationRow::parseNs).filter(Double::isFinite).orElse(1.0));
          }
          serialize.put(format, s);
          parse.put(format, p);
        }
        chart(
            files,
            "serialize",
            () ->
                Charts.bars(
                    dir,
                    "serialize.png",
                    "Serialise: ns per operation (JMH, lower is better)",
                    "ns/op (log scale)",
                    payloads,
                    serialize));
        chart(
            files,
            "parse",
            () ->
                Charts.bars(
                    dir,
                    "parse.png",
                    "Parse: ns per operation (JMH, lower is better)",
                    "ns/op (log scale)",
                    payloads,
                    parse));
      }
      if (!r.protocol.isEmpty()) {
        Map<String, double[][]> lines = new LinkedHashMap<>();
        Map<String, Color> colors = new LinkedHashMap<>();
        int s = 0;
        for (String scenario : SCENARIOS) {
          for (String protocol : List.of("gRPC", "REST")) {
            Optional<ProtocolBlock> b = block(protocol, scenario);
            if (b.isEmpty() || b.get().levels().isEmpty()) {
              continue;
            }
            List<LevelRow> levels = b.get().levels();
            double[][] xy = new double[2][levels.size()];
            for (int i = 0; i < levels.size(); i++) {
              xy[0][i] = levels.get(i).concurrency();
              xy[1][i] = Math.max(levels.get(i).callsPerSecond(), 0.01);
            }
            String name = protocol + " " + scenario;
            lines.put(name, xy);
            colors.put(name, Charts.shade(Charts.color(protocol), 2 - s, 3));
          }
          s++;
        }
        chart(
            files,
            "throughput",
            () -> Charts.throughput(dir, "throughput-vs-concurrency.png", lines, colors));
        for (String scenario : SCENARIOS) {
          Map<String, List<double[]>> curves = new LinkedHashMap<>();
          Map<String, Color> curveColors = new LinkedHashMap<>();
          for (String protocol : List.of("gRPC", "REST")) {
            Optional<ProtocolBlock> b = block(protocol, scenario);
            if (b.isEmpty()) {
              continue;
            }
            List<LevelRow> levels = b.get().levels();
            for (int i = 0; i < levels.size(); i++) {
              LevelRow level = levels.get(i);
              if (level.latency() == null) {
                continue;
              }
              String name = protocol + " c=" + level.concurrency();
              curves.put(name, level.latency().percentileCurve());
              curveColors.put(name, Charts.shade(Charts.color(protocol), i, levels.size()));
            }
          }
          if (!curves.isEmpty()) {
            chart(
                files,
                "latency-" + scenario,
                () ->
                    Charts.latency(
                        dir,
                        "latency-" + scenario + ".png",
                        "Call latency distribution: "
                            + SCENARIO_LABELS.get(scenario)
                            + " (BenchOnlyEngine)",
                        curves,
                        curveColors));
          }
        }
        Map<String, List<double[]>> ttft = new LinkedHashMap<>();
        Map<String, Color> ttftColors = new LinkedHashMap<>();
        for (String protocol : List.of("gRPC", "REST")) {
          Optional<ProtocolBlock> b = block(protocol, "stream");
          if (b.isEmpty()) {
            continue;
          }
          List<LevelRow> levels = b.get().levels();
          for (int i = 0; i < levels.size(); i++) {
            if (levels.get(i).timeToFirstToken() != null) {
              String name = protocol + " c=" + levels.get(i).concurrency();
              ttft.put(name, levels.get(i).timeToFirstToken().percentileCurve());
              ttftColors.put(name, Charts.shade(Charts.color(protocol), i, levels.size()));
            }
          }
        }
        if (!ttft.isEmpty()) {
          chart(
              files,
              "ttft",
              () ->
                  Charts.latency(
                      dir,
                      "ttft-stream.png",
                      "Time to first token: streaming completion (BenchOnlyEngine)",
                      ttft,
                      ttftColors));
        }
      }
    } catch (Throwable t) { // a machine without fonts must still get its report
      chartFailures.add("charts could not be drawn: " + t);
    }
    return files;
  }

  /** Draws one chart; a failure is noted in the report and leaves the other charts alone. */
  private void chart(Map<String, String> files, String key, ChartDrawing drawing) {
    try {
      files.put(key, drawing.draw());
    } catch (Throwable t) { // a machine without fonts must still get its report
      chartFailures.add("chart " + key + " could not be drawn: " + t);
    }
  }

  private interface ChartDrawing {
    String draw() throws IOException;
  }
}
