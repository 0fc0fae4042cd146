package io.inferd.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** What a person sees of the {@code inferd} command itself: its verbs, summaries and labels. */
class MainTest {
  private static final List<String> VERBS =
      List.of("serve", "soak", "pull", "models", "complete", "stream", "embed", "chat");

  @Test
  void bareInferd_listsEveryVerb_theClientVerbsToo() {
    CommandLine commandLine = Main.commandLine();
    var out = new StringWriter();
    commandLine.setOut(new PrintWriter(out, true));

    assertThat(commandLine.execute()).isZero();

    List<String> listed =
        out.toString()
            .lines()
            .filter(l -> l.matches("  [a-z]+ .*"))
            .map(l -> l.strip().split(" ")[0])
            .toList();
    assertThat(listed).containsExactlyInAnyOrderElementsOf(VERBS);
  }

  @Test
  void everyVerbsSummary_isAWholeSentence() {
    for (CommandLine verb : Main.commandLine().getSubcommands().values()) {
      String summary = verb.getCommandSpec().usageMessage().description()[0];
      assertThat(summary).as(verb.getCommandName()).endsWith(".").doesNotEndWith(":.");
    }
  }

  @Test
  void everyOptionLabel_isAName_notAJavaField() {
    List<String> javaNames = new ArrayList<>();
    for (CommandLine verb : Main.commandLine().getSubcommands().values()) {
      CommandSpec spec = verb.getCommandSpec();
      for (OptionSpec option : spec.options()) {
        if (option.arity().max() > 0 && option.paramLabel().startsWith("<")) {
          javaNames.add(verb.getCommandName() + " " + option.longestName() + option.paramLabel());
        }
      }
    }
    assertThat(javaNames).isEmpty();
  }

  @Test
  void serveHelp_showsOptionLabelsInCapitals() {
    var out = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setOut(new PrintWriter(out, true));

    commandLine.execute("serve", "--help");

    assertThat(out.toString())
        .contains("--max-message-bytes=BYTES", "--port=PORT", "--parallel=N")
        .doesNotContain("<maxInboundMessageBytes>");
  }
}
