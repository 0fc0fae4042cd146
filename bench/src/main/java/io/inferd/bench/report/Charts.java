package io.inferd.bench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's PNG charts, drawn with XChart (headless). Each method returns the file name it
 * wrote.
 */
final class Charts {
  static final Color GRPC = new Color(0x1f, 0x77, 0xb4);
  static final Color REST = new Color(0xd6, 0x27, 0x28);
  static final Color JSONFORMAT = new Color(0x2c, 0xa0, 0x2c);

  private Charts() {}

  static Color color(String protocol) {
    return protocol.equals("gRPC") ? GRPC : REST;
  }

  /** Lighter for low concurrency, darker for high, so levels of one protocol read as one family. */
  static Color shade(Color base, int index, int count) {
    float t = count <= 1 ? 1f : 0.45f + 0.55f * index / (count - 1);
    return new Color(
        Math.round(255 - (255 - base.getRed()) * t),
        Math.round(255 - (255 - base.getGreen()) * t),
        Math.round(255 - (255 - base.getBlue()) * t));
  }

  private static XYChart xyChart(String title, String xTitle, String yTitle) {
    XYChart chart =
        new XYChartBuilder()
            .width(960)
            .height(560)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotGridLinesColor(new Color(0xdd, 0xdd, 0xdd));
    chart.getStyler().setLegendBorderColor(new Color(0xcc, 0xcc, 0xcc));
    chart.getStyler().setMarkerSize(6);
    return chart;
  }

  /**
   * Latency percentile curves (HdrHistogram): x is "nines" (0 = p0, 1 = p90, 2 = p99, 3 = p99.9), y
   * is milliseconds on a log scale; one line per protocol and concurrency.
   */
  static String latency(
      Path dir,
      String file,
      String title,
      Map<String, List<double[]>> curves,
      Map<String, Color> colors)
      throws IOException {
    XYChart chart = xyChart(title, "percentile", "latency (ms, log scale)");
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setxAxisTickLabelsFormattingFunction(Charts::percentileLabel);
    for (var entry : curves.entrySet()) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (double[] point : entry.getValue()) {
        double percentile = Math.min(point[0], 99.99);
        x.add(-Math.log10(1 - percentile / 100));
        y.add(Math.max(point[1] / 1000.0, 0.001));
      }
      if (x.isEmpty()) {
        continue;
      }
      XYSeries series = chart.addSeries(entry.getKey(), x, y);
      series.setMarker(SeriesMarkers.NONE);
      styleLine(series, entry.getKey(), colors);
    }
    return save(chart, dir, file);
  }

  /** The series' colour, 2 px wide; REST dashed, so the chart also reads in grey. */
  private static void styleLine(XYSeries series, String name, Map<String, Color> colors) {
    series.setLineColor(colors.get(name));
    series.setLineWidth(2f);
    if (name.startsWith("REST")) {
      series.setLineStyle(
          new BasicStroke(
              2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    }
  }

  static String percentileLabel(double nines) {
    double percentile = 100 * (1 - Math.pow(10, -nines));
    if (percentile < 99) {
      return String.format("p%.0f", percentile);
    }
    if (percentile < 99.9) {
      return String.format("p%.1f", percentile);
    }
    return String.format("p%.2f", percentile);
  }

  /** Throughput against concurrency, log-log, one line per scenario and protocol. */
  static String throughput(
      Path dir, String file, Map<String, double[][]> lines, Map<String, Color> colors)
      throws IOException {
    XYChart chart =
        xyChart(
            "Throughput vs concurrency (same server, BenchOnlyEngine)",
            "concurrent callers",
            "calls per second (log scale)");
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    for (var entry : lines.entrySet()) {
      double[][] xy = entry.getValue();
      XYSeries series = chart.addSeries(entry.getKey(), xy[0], xy[1]);
      series.setMarkerColor(colors.get(entry.getKey()));
      series.setMarker(SeriesMarkers.CIRCLE);
      styleLine(series, entry.getKey(), colors);
    }
    return save(chart, dir, file);
  }

  /** Grouped bars: one group per payload, one bar per encoding, log scale. */
  static String bars(
      Path dir,
      String file,
      String title,
      String yTitle,
      List<String> groups,
      Map<String, List<Double>> series)
      throws IOException {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(960)
            .height(520)
            .title(title)
            .xAxisTitle("payload")
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setYAxisLogarithmic(true);
    // bars grow from the axis minimum, which a log axis needs above zero: the decade below the data
    double min =
        series.values().stream()
            .flatMap(List::stream)
            .mapToDouble(Double::doubleValue)
            .filter(v -> v > 0)
            .min()
            .orElse(1);
    chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(min))));
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotGridLinesColor(new Color(0xdd, 0xdd, 0xdd));
    Map<String, Color> palette = new LinkedHashMap<>();
    palette.put("protobuf", GRPC);
    palette.put("jackson", REST);
    palette.put("jsonformat", JSONFORMAT);
    List<Color> colors = new ArrayList<>();
    for (var entry : series.entrySet()) {
      chart.addSeries(entry.getKey(), groups, entry.getValue());
      colors.add(palette.getOrDefault(entry.getKey(), Color.GRAY));
    }
    chart.getStyler().setSeriesColors(colors.toArray(Color[]::new));
    return save(chart, dir, file);
  }

  private static String save(
      org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path dir, String file)
      throws IOException {
    String base = file.endsWith(".png") ? file.substring(0, file.length() - 4) : file;
    BitmapEncoder.saveBitmap(chart, dir.resolve(base).toString(), BitmapEncoder.BitmapFormat.PNG);
    return base + ".png";
  }
}
