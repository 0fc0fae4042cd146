package io.inferd.bench.report;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns {@link Results} into {@code REPORT.md} (the source document's two tables with measured
 * values and ratios beside its claims, then the details), the PNG charts, and {@code
 * README-section.md}. The document's frame and fixed prose are the Mustache template {@code
 * REPORT.md.mustache}; the parts computed from the results fill it. Nothing is typed in by hand
 * except the document's own figures, quoted as claims.
 */
public final class ReportWriter {
  private static final String TEMPLATE = "io/inferd/bench/report/REPORT.md.mustache";

  private ReportWriter() {}

  /** Writes REPORT.md, README-section.md and the charts into {@code dir}. */
  public static void write(Results results, Path dir) throws IOException {
    Files.createDirectories(dir);
    ReportBase shared = new ReportBase(results) {};
    Map<String, String> charts = new ChartSet(shared).charts(dir);
    Map<String, Object> scope = new HashMap<>();
    scope.put("env", environment(results));
    scope.put("fullRun", results.environment != null && "full".equals(results.environment.mode()));
    scope.put("claims", new ClaimsSection(shared).render());
    scope.put("tables", new TablesSection(shared).render(charts));
    scope.put("details", new DetailsSection(shared).render(charts));
    scope.put("findings", new FindingsSection(shared).render());
    List<String> notes = new ArrayList<>(results.notes);
    notes.addAll(shared.chartFailures);
    scope.put("notes", notes);
    scope.put("hasNotes", !notes.isEmpty());
    Files.writeString(dir.resolve("REPORT.md"), render(scope));
    Files.writeString(dir.resolve("README-section.md"), new ReadmeSection(shared).render());
  }

  private static Map<String, Object> environment(Results results) {
    Results.Environment env = results.environment;
    if (env == null) {
      return null;
    }
    Map<String, Object> values = new HashMap<>();
    values.put("mode", env.mode());
    values.put("startedAt", env.startedAt());
    values.put("minutes", String.format(Locale.ROOT, "%.1f", env.minutes()));
    values.put("cores", env.cores());
    values.put("cpuModel", env.cpuModel());
    values.put("os", env.os());
    values.put("jvm", env.jvm());
    values.put("loadAverageBefore", env.loadAverageBefore());
    values.put("loadAverageAfter", env.loadAverageAfter());
    values.put("serverJvmOptions", env.serverJvmOptions());
    values.put("clientJvmOptions", env.clientJvmOptions());
    values.put("openFilesLimit", env.openFilesLimit());
    values.put("settings", env.settings());
    List<String> phases = new ArrayList<>();
    results.phaseSeconds.forEach(
        (phase, seconds) ->
            phases.add(phase + " " + String.format(Locale.ROOT, "%.0f s", seconds)));
    values.put("phases", phases.isEmpty() ? null : String.join(", ", phases));
    return values;
  }

  private static String render(Map<String, Object> scope) {
    // Markdown, not HTML: values go in as they are.
    var factory =
        new DefaultMustacheFactory() {
          @Override
          public void encode(String value, Writer writer) {
            try {
              writer.write(value);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
        };
    Mustache template = factory.compile(TEMPLATE);
    StringWriter out = new StringWriter();
    template.execute(out, scope);
    return out.toString();
  }
}
