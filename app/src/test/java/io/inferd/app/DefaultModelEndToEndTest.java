package io.inferd.app;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.stub.StreamObserver;
import io.inferd.api.v1.ChatMessage;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.Message;
import io.inferd.engine.Turn;
import io.inferd.engine.llama.GgufHeader;
import io.inferd.engine.llama.LlamaGenerator;
import io.inferd.engine.llama.LlamaOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The default model that ships in {@code models/} (inferd's own, trained on the KJV Bible by
 * tools/train): {@code serve} picks it without arguments, and it writes English — most of what it
 * generates are words of its training corpus ({@code models/kjv-words.txt}).
 */
class DefaultModelEndToEndTest {
  private static final Path HOME = Path.of("..");

  static Path file;
  static LlamaGenerator kjv;
  static RunningServer running;
  static Set<String> corpusWords;

  @BeforeAll
  static void start() throws Exception {
    file = DefaultModels.find(HOME).orElseThrow().path();
    corpusWords = new HashSet<>(Files.readAllLines(HOME.resolve("models/kjv-words.txt"), UTF_8));
    kjv = LlamaGenerator.load(file, new LlamaOptions(2, 2, 256));
    running = RunningServer.start(kjv, 2, 4);
  }

  @AfterAll
  static void stop() throws Exception {
    if (running != null) {
      running.close();
    }
    if (kjv != null) {
      kjv.close();
    }
  }

  private static CompleteRequest prompt(String text, int seed, int maxTokens) {
    return CompleteRequest.newBuilder()
        .addMessages(Message.newBuilder().setRole("user").setContent(text))
        .setTemperature(0.8f)
        .setSeed(seed)
        .setMaxTokens(maxTokens)
        .build();
  }

  /** Lower-cased whitespace-separated words, punctuation stripped; empty ones dropped. */
  static List<String> words(String text) {
    List<String> words = new ArrayList<>();
    for (String raw : text.split("\\s+")) {
      String w = raw.toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
      if (!w.isEmpty()) {
        words.add(w);
      }
    }
    return words;
  }

  @Test
  void serve_withoutArguments_picksTheShippedModel() {
    assertThat(file.getParent()).isEqualTo(HOME.resolve("models"));
    assertThat(file.getFileName().toString()).startsWith("inferd-kjv-").endsWith(".gguf");
    assertThat(file.toFile().length()).isLessThan(25L << 20);
    GgufHeader header = GgufHeader.read(file);
    assertThat(header.architecture()).contains("llama");
    assertThat(header.string("tokenizer.ggml.model")).contains("llama");
    assertThat(header.contextLength()).hasValue(256);
  }

  @Test
  void complete_100TokensAtTemperature08_areMostlyWordsOfTheCorpus() {
    CompleteResponse response = running.blocking().complete(prompt("And God said", 42, 100));
    String text = response.getChoices(0).getMessage().getContent();
    List<String> words = words(text);

    assertThat(response.getUsage().getCompletionTokens()).isEqualTo(100);
    assertThat(words).hasSizeGreaterThan(30);
    long known = words.stream().filter(corpusWords::contains).count();
    assertThat((double) known / words.size())
        .as("share of corpus words in: %s", text)
        .isGreaterThanOrEqualTo(0.6);
  }

  @Test
  void streamComplete_streamsText() {
    List<String> chunks = new ArrayList<>();
    running
        .blocking()
        .streamComplete(prompt("The Lord is my shepherd", 5, 48))
        .forEachRemaining(c -> chunks.add(c.getChoices(0).getDelta().getContent()));
    String text = String.join("", chunks);
    assertThat(chunks.size()).isGreaterThan(10);
    assertThat(words(text)).hasSizeGreaterThan(5);
  }

  @Test
  void chat_answersEachQuestion_withText() throws Exception {
    var replies = new ArrayList<ChatMessage>();
    var done = new CompletableFuture<Void>();
    StreamObserver<ChatMessage> in =
        running
            .async()
            .chat(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ChatMessage value) {
                    synchronized (replies) {
                      replies.add(value);
                    }
                  }

                  @Override
                  public void onError(Throwable t) {
                    done.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    done.complete(null);
                  }
                });
    in.onNext(ChatMessage.newBuilder().setRole("user").setContent("Who is the Lord?").build());
    in.onNext(ChatMessage.newBuilder().setRole("user").setContent("What shall we do?").build());
    in.onCompleted();
    done.get(30, TimeUnit.SECONDS);

    assertThat(replies)
        .hasSize(2)
        .allSatisfy(
            r -> {
              assertThat(r.getRole()).isEqualTo("assistant");
              assertThat(words(r.getContent())).isNotEmpty();
            });
  }

  @Test
  void prompts_arePlainText_toContinue() {
    // The model's template lays the conversation out as lines of text (a base model has no roles);
    // a sentence that is finished gets a new line, so the model answers with a verse of its own.
    assertThat(kjv.render(List.of(Turn.user("And God said"))).text())
        .as(
            "llama.cpp applies the model's own Jinja template only with ModelParameters.enableJinja()")
        .isEqualTo("And God said");
    assertThat(
            kjv.render(List.of(Turn.system("Hear, O Israel:"), Turn.user("Who is the Lord?")))
                .text())
        .doesNotContain("<|")
        .startsWith("Hear, O Israel:\nWho is the Lord?");
  }
}
