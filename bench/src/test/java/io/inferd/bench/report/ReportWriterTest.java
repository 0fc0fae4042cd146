package io.inferd.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
  private static Results.Latency latency(long... micros) {
    Histogram h = new Histogram(3);
    for (long us : micros) {
      h.recordValue(us * 1000);
    }
    return Results.Latency.of(h);
  }

  private static Results.LevelRow level(
      String protocol,
      String scenario,
      int c,
      double cpuPer1000,
      double allocPerCall,
      long... micros) {
    return new Results.LevelRow(
        protocol,
        scenario,
        "BenchOnlyEngine",
        c,
        micros.length,
        0,
        Map.of(),
        1.0,
        micros.length,
        0,
        latency(micros),
        null,
        null,
        cpuPer1000,
        0.5,
        0.1,
        allocPerCall,
        protocol.equals("gRPC") ? 1 : c,
        100_000);
  }

  static Results sample() {
    Results r = new Results();
    r.environment =
        new Results.Environment(
            "full",
            "2026-01-01T00:00:00Z",
            20,
            "JVM 25",
            2,
            "CPU",
            "Linux",
            "-Xmx512m",
            "-Xmx2g",
            "settings",
            "1 / 1 / 1",
            "2 / 2 / 2",
            20000);
    r.serialization.add(
        new Results.SerializationRow("User", "protobuf", 61, 40, 1, 80, 2, 128, 200));
    r.serialization.add(
        new Results.SerializationRow("User", "jackson", 102, 160, 3, 400, 5, 300, 600));
    r.serialization.add(
        new Results.SerializationRow("User", "jsonformat", 102, 900, 10, 2000, 20, 3000, 4000));
    r.serialization.add(
        new Results.SerializationRow("CompleteRequest", "protobuf", 150, 100, 1, 200, 2, 300, 500));
    r.serialization.add(
        new Results.SerializationRow("CompleteRequest", "jackson", 300, 400, 3, 900, 5, 800, 1500));
    r.protocol.add(
        new Results.ProtocolBlock(
            "gRPC",
            "unary",
            List.of(level("gRPC", "unary", 16, 0.2, 30_000, 100, 200, 300)),
            100_000,
            300_000,
            200_000_000,
            10_000_000));
    r.protocol.add(
        new Results.ProtocolBlock(
            "REST",
            "unary",
            List.of(level("REST", "unary", 16, 0.3, 40_000, 150, 300, 600)),
            100_000,
            330_000,
            210_000_000,
            10_000_000));
    r.wire.add(new Results.WireRow("gRPC", "unary", "", 100, 200, 450, 1));
    r.wire.add(new Results.WireRow("REST", "unary", "", 100, 450, 700, 1));
    r.streams.add(
        new Results.StreamsRow(
            "gRPC",
            10_000,
            10_000,
            0,
            Map.of(),
            3.5,
            1,
            10_000_000,
            110_000_000,
            10_000,
            200_000,
            1_200_000,
            100,
            40,
            10_050,
            60,
            70,
            ""));
    r.streams.add(
        new Results.StreamsRow(
            "REST",
            10_000,
            10_000,
            0,
            Map.of(),
            9.5,
            10_000,
            10_000_000,
            160_000_000,
            15_000,
            200_000,
            1_500_000,
            130,
            40,
            10_050,
            10_060,
            10_070,
            "one connection per stream"));
    return r;
  }

  @Test
  void write_mirrorsBothTablesOfTheDocument_withMeasuredValuesAndRatios(@TempDir Path dir)
      throws Exception {
    ReportWriter.write(sample(), dir);

    String report = Files.readString(dir.resolve("REPORT.md"));
    // table 1: the document's figures beside the measured ones, and the measured ratio
    assertThat(report)
        .contains(
            "| 직렬화 크기 / encoded size | 120 bytes | 45 bytes | 2.67× | 102 bytes | 61 bytes | 1.67×"
                + " | 102 bytes |")
        .contains(
            "| 직렬화 시간 / serialise | 150 ns | 30 ns | 5.00× | 160 ± 3 ns | 40 ± 1 ns | 4.00× |");
    // table 2: latency, wire bytes, CPU, memory and streams rows
    assertThat(report)
        .contains(
            "| 평균 지연시간 / avg latency | 250 ms | 25 ms | 10× | unary | 350 µs | 200 µs | 1.75× |")
        .contains(
            "| 직렬화 크기 / bytes on the wire per call | 2.4 KB | 0.8 KB | 3× | unary | 1,150 B | 650 B"
                + " | 1.77× |")
        .contains(
            "| CPU 사용량 / server CPU per call | 100% | 60% | 40% less | unary | 100% (300 µs CPU) |"
                + " 67% (200 µs CPU) | 33% less |")
        .contains("메모리 사용량 / server peak RSS")
        .contains("10,000 held on 1 connection");
    // the summary gives a verdict per claim
    assertThat(report)
        .contains("| gRPC average latency 10× lower (250 → 25 ms) | unary 350 µs → 200 µs = 1.75×")
        .contains("unary: **partly**")
        .contains("## 5. Concurrent streams");

    // every chart the report shows was drawn, or the report says why not
    var charts = java.util.regex.Pattern.compile("\\]\\(([\\w-]+\\.png)\\)").matcher(report);
    while (charts.find()) {
      assertThat(dir.resolve(charts.group(1))).isNotEmptyFile();
    }
    assertThat(
            report.contains("could not be drawn")
                || report.contains("![serialise time](serialize.png)"))
        .isTrue();

    String readme = Files.readString(dir.resolve("README-section.md"));
    assertThat(readme)
        .startsWith("## Benchmarks")
        .contains("docs/bench/REPORT.md")
        .contains("61 vs 102 bytes");
  }

  @Test
  void write_survivesPartialResults(@TempDir Path dir) throws Exception {
    ReportWriter.write(new Results(), dir);

    assertThat(Files.readString(dir.resolve("REPORT.md")))
        .contains("# inferd benchmarks")
        .contains("Not run.");
  }

  @Test
  void results_roundTripThroughJson(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("results.json");
    sample().write(file);

    Results back = Results.read(file);

    assertThat(back.protocol.get(0).levels().get(0).latency().p50Us())
        .isEqualTo(200, org.assertj.core.data.Offset.offset(0.5));
    assertThat(back.streams).hasSize(2);
  }
}
