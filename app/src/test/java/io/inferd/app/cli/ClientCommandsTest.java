package io.inferd.app.cli;

import static io.inferd.client.testing.FakeInferenceService.SILENT_MODEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.grpc.Status;
import io.inferd.api.v1.ChatMessage;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.Message;
import io.inferd.client.testing.InProcessInference;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

class ClientCommandsTest {
  private InProcessInference server;
  private Cli cli;

  @BeforeEach
  void startServer() throws Exception {
    server = InProcessInference.start();
    cli = new Cli(server::channelBuilder);
  }

  @AfterEach
  void stopServer() throws Exception {
    server.close();
  }

  @Test
  void complete_prompt_printsTheAnswerAndTheUsageLineOnStderr() {
    Cli.Result result = cli.run("complete", "hello", "world");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).isEqualTo("echo: hello world" + System.lineSeparator());
    assertThat(result.err().strip())
        .isEqualTo("[model=fake finish=stop tokens: prompt=2 completion=3 total=5]");
  }

  @Test
  void complete_options_endUpInTheRequest() {
    cli.run(
        "complete",
        "--model=m1",
        "--system=Be brief.",
        "--temperature=0.5",
        "--top-p=0.9",
        "--seed=7",
        "--max-tokens=16",
        "hi");

    CompleteRequest request = server.service.completeRequests.get(0);
    assertThat(request.getModel()).isEqualTo("m1");
    assertThat(request.getMessagesList())
        .extracting(Message::getRole)
        .containsExactly("system", "user");
    assertThat(request.getTemperature()).isEqualTo(0.5f);
    assertThat(request.getTopP()).isEqualTo(0.9f);
    assertThat(request.getSeed()).isEqualTo(7);
    assertThat(request.getMaxTokens()).isEqualTo(16);
  }

  @Test
  void complete_generationControls_endUpInTheRequest(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path schema = dir.resolve("answer.json");
    java.nio.file.Files.writeString(schema, "{\"type\":\"object\"}");
    cli.run(
        "complete",
        "--stop=\n",
        "--stop=END",
        "--top-k=40",
        "--min-p=0.05",
        "--json-schema=" + schema,
        "--top-logprobs=3",
        "hi");

    CompleteRequest request = server.service.completeRequests.get(0);
    assertThat(request.getStopList()).containsExactly("\n", "END");
    assertThat(request.getTopK()).isEqualTo(40);
    assertThat(request.getMinP()).isEqualTo(0.05f);
    assertThat(request.getJsonSchema()).isEqualTo("{\"type\":\"object\"}");
    assertThat(request.getLogprobs()).isTrue();
    assertThat(request.getTopLogprobs()).isEqualTo(3);
  }

  @Test
  void complete_logprobsAlone_asksForNoAlternatives() {
    cli.run("complete", "--logprobs", "hi");

    CompleteRequest request = server.service.completeRequests.get(0);
    assertThat(request.getLogprobs()).isTrue();
    assertThat(request.hasTopLogprobs()).isFalse();
    assertThat(request.hasTopK()).isFalse();
    assertThat(request.getStopCount()).isZero();
  }

  @Test
  void complete_withoutSamplingOptions_leavesTheOptionalFieldsUnset() {
    cli.run("complete", "hi");

    CompleteRequest request = server.service.completeRequests.get(0);
    assertThat(request.hasTopP()).isFalse();
    assertThat(request.hasSeed()).isFalse();
    assertThat(request.getMessagesCount()).isEqualTo(1);
  }

  @Test
  void complete_invalidArgument_exitsWithOneAndOneErrorLine() {
    Cli.Result result = cli.run("complete", "--max-tokens=-5", "hi");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err().strip())
        .isEqualTo("error: INVALID_ARGUMENT: max_tokens: -5 (expected: >= 0)");
  }

  @Test
  void complete_verboseFailure_printsTheStackTraceToo() {
    Cli.Result result = cli.run("complete", "--verbose", "--max-tokens=-5", "hi");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("\nerror: INVALID_ARGUMENT").contains("\tat ");
  }

  @Test
  void complete_verbose_logsTheCallAndItsMessagesToStderrButNeverTheApiKey() {
    Cli.Result result = cli.run("complete", "--verbose", "--api-key=sk-cli-secret", "hello");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).isEqualTo("echo: hello" + System.lineSeparator());
    assertThat(result.err().lines())
        .anyMatch(
            line -> line.matches("DEBUG ai.inference.v1.InferenceService/Complete sent: .*hello.*"))
        .anyMatch(line -> line.matches("INFO  ai.inference.v1.InferenceService/Complete OK \\d+ms"))
        .noneMatch(line -> line.contains("sk-cli-secret"));
  }

  @Test
  void complete_notVerbose_logsNothing() {
    Cli.Result result = cli.run("complete", "hello");

    assertThat(result.err()).doesNotContain("InferenceService");
  }

  @Test
  void complete_unavailable_isRetriedThreeTimesByDefault() {
    server.failNext(10, Status.UNAVAILABLE);

    Cli.Result result = cli.run("complete", "hi");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).startsWith("error: UNAVAILABLE");
    assertThat(server.attempts).hasSize(4);
  }

  @Test
  void complete_retriesOption_setsTheNumberOfRetries() {
    server.failNext(10, Status.UNAVAILABLE);

    cli.run("complete", "--retries=1", "hi");

    assertThat(server.attempts).hasSize(2);
  }

  @Test
  void complete_retriesZero_triesOnce() {
    server.failNext(1, Status.UNAVAILABLE);

    Cli.Result result = cli.run("complete", "--retries=0", "hi");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(server.attempts).hasSize(1);
  }

  @Test
  void complete_negativeRetries_isAUsageError() {
    Cli.Result result = cli.run("complete", "--retries=-1", "hi");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err().strip()).isEqualTo("error: --retries: -1 (expected: >= 0)");
    assertThat(server.attempts).isEmpty();
  }

  @Test
  void complete_deadlineAuto_sizesTheDeadlineToPromptAndMaxTokens() {
    cli.run("complete", "--deadline=auto", "--max-tokens=100", "hi"); // 2s + 1ms + 5s

    assertThat(server.attempts.get(0).deadlineAtArrival())
        .isBetween(Duration.ofMillis(6_500), Duration.ofMillis(7_001));
  }

  @Test
  void complete_fixedDeadline_isSentAsGiven() {
    cli.run("complete", "--deadline=30s", "--max-tokens=100", "hi");

    assertThat(server.attempts.get(0).deadlineAtArrival())
        .isBetween(Duration.ofMillis(29_500), Duration.ofSeconds(30));
  }

  @Test
  void embed_deadlineAuto_keepsTheVerbsDefault() {
    cli.run("embed", "--deadline=auto", "a");

    assertThat(server.attempts.get(0).deadlineAtArrival())
        .isBetween(Duration.ofMillis(59_500), Duration.ofSeconds(60));
  }

  @Test
  void complete_shortDeadlineAndSilentServer_reportsDeadlineExceeded() {
    Cli.Result result = cli.run("complete", "--deadline=200ms", "--model=" + SILENT_MODEL, "hi");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).startsWith("error: DEADLINE_EXCEEDED");
  }

  @Test
  void complete_apiKey_isSentAsMetadata() {
    cli.run("complete", "--api-key=sk-cli", "hi");

    assertThat(server.apiKeys).containsExactly(Optional.of("sk-cli"));
  }

  @Test
  void complete_unreadableDeadline_isAUsageError() {
    Cli.Result result = cli.run("complete", "--deadline=soon", "hi");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains("'soon' (expected: a duration like 500ms, 30s, 2m or 1h), or auto");
    assertThat(server.service.completeRequests).isEmpty();
  }

  @Test
  void complete_withoutPrompt_isAUsageError() {
    assertThat(cli.run("complete").exitCode()).isEqualTo(2);
  }

  @Test
  void stream_prompt_printsTheTokensThenTheUsageLine() {
    Cli.Result result = cli.run("stream", "--model=m2", "one", "two");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).isEqualTo("echo: one two" + System.lineSeparator());
    assertThat(result.err().strip())
        .isEqualTo("[model=m2 finish=stop tokens: prompt=2 completion=3 total=5]");
  }

  @Test
  void stream_invalidArgument_exitsWithOne() {
    Cli.Result result = cli.run("stream", "--max-tokens=-1", "hi");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).startsWith("error: INVALID_ARGUMENT: max_tokens: -1");
  }

  @Test
  void embed_textArguments_printOneLinePerEmbedding() {
    Cli.Result result = cli.run("embed", "--model=minilm", "a", "bb cc");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out().lines())
        .containsExactly(
            "0 dim=5 [1.0000, 0.0000, 0.5000, -0.2500, ...]",
            "1 dim=5 [5.0000, 1.0000, 0.5000, -0.2500, ...]");
    assertThat(result.err().strip()).isEqualTo("[embeddings=2 tokens: total=3]");
    assertThat(server.service.embedRequests).allMatch(r -> r.getModel().equals("minilm"));
  }

  @Test
  void embed_noArguments_readsOneTextPerLineOfStdin() {
    Cli.Result result = cli.runWithInput("first\n\nsecond text\n", "embed");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out().lines()).hasSize(2);
    assertThat(server.service.embedRequests)
        .extracting(r -> r.getText())
        .containsExactly("first", "second text");
  }

  @Test
  void embed_nothingToEmbed_isAUsageError() {
    Cli.Result result = cli.runWithInput("\n", "embed");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err().strip())
        .isEqualTo("error: nothing to embed (expected: TEXT arguments or lines on stdin)");
  }

  @Test
  void chat_lines_printTheRepliesAndQuitHalfClosesTheStream() throws Exception {
    Cli.Result result =
        cli.runWithInput("hello\n\nsecond\nquit\nnever sent\n", "chat", "--system=Be kind.");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out().lines()).containsExactly("echo: hello", "echo: second");
    assertThat(server.service.chatMessages)
        .extracting(ChatMessage::getRole, ChatMessage::getContent)
        .containsExactly(
            tuple("system", "Be kind."), tuple("user", "hello"), tuple("user", "second"));
    assertThat(server.service.chatHalfClosed.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void chat_modelMaxTokensAndTemperature_goWithEveryUserTurn() {
    cli.runWithInput("one\ntwo\n", "chat", "--model=m2", "--max-tokens=12", "--temperature=0.3");

    assertThat(server.service.chatMessages)
        .extracting(
            ChatMessage::getModel, ChatMessage::getMaxTokens, m -> m.getSampling().getTemperature())
        .containsExactly(tuple("m2", 12, 0.3f), tuple("m2", 12, 0.3f));
  }

  @Test
  void chat_withoutOptions_sendsNoSampling() {
    cli.runWithInput("one\n", "chat");

    assertThat(server.service.chatMessages.get(0).hasSampling()).isFalse();
    assertThat(server.service.chatMessages.get(0).getModel()).isEmpty();
  }

  @Test
  void chat_endOfInput_endsTheConversation() {
    Cli.Result result = cli.runWithInput("only line", "chat");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out().lines()).containsExactly("echo: only line");
  }

  @Test
  void help_ofEachVerb_describesTheVerbAndEveryOption() {
    CommandLine top = Cli.commandLine(CommandLine.defaultFactory());

    assertThat(top.getSubcommands()).containsOnlyKeys("complete", "stream", "embed", "chat");
    for (CommandLine verb : top.getSubcommands().values()) {
      CommandSpec spec = verb.getCommandSpec();
      assertThat(spec.usageMessage().description()).as(spec.name()).isNotEmpty();
      for (ArgSpec arg : spec.args()) {
        assertThat(arg.description()).as(spec.name() + " " + arg).isNotEmpty();
      }
    }
  }

  @Test
  void help_option_printsUsageWithTheConnectionOptions() {
    Cli.Result result = cli.run("stream", "--help");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .contains("Usage: inferd stream")
        .contains("--target")
        .contains("--deadline")
        .contains("--retries")
        .contains("--api-key")
        .contains("--top-p");
  }

  @Test
  void clientCommands_all_haveAPublicNoArgConstructor() throws Exception {
    for (Class<?> verb : ClientCommands.all()) {
      assertThat(verb.getConstructor().newInstance()).isNotNull();
    }
  }
}
