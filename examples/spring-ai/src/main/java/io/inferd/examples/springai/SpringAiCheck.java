package io.inferd.examples.springai;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.retry.NonTransientAiException;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * Checks inferd's OpenAI-compatible REST API through Spring AI's OpenAI starter: chat, streaming
 * chat and embeddings, configured in application.properties. Exits 1 when a check fails.
 *
 * <pre>
 *   INFERD_REST_URL=http://127.0.0.1:8080/v1 [INFERD_API_KEY=...] mvn -q compile exec:exec
 * </pre>
 *
 * INFERD_CHAT_MODEL (inferd-kjv-5m) and INFERD_EMBED_MODEL (all-minilm-l6-v2) pick the models.
 */
@SpringBootApplication
public class SpringAiCheck {
  private static final String PROMPT = "Once upon a time";

  public static void main(String[] args) {
    try {
      SpringApplication.exit(SpringApplication.run(SpringAiCheck.class, args));
      System.out.println("spring-ai check: OK");
    } catch (Throwable e) {
      System.err.println("spring-ai check: FAILED: " + e);
      e.printStackTrace(System.err);
      System.exit(1);
    }
  }

  @Bean
  CommandLineRunner check(ChatClient.Builder chatClients, EmbeddingModel embeddings) {
    return args -> {
      ChatClient chat = chatClients.build();

      ChatResponse whole = chat.prompt(PROMPT).call().chatResponse();
      String text = whole.getResult().getOutput().getText();
      check(text != null && !text.isEmpty(), "empty completion");
      String finish = whole.getResult().getMetadata().getFinishReason();
      checkFinish(finish);
      checkUsage(whole.getMetadata().getUsage());
      System.out.printf(
          "chat: model=%s finish=%s tokens=%d: %s%n",
          whole.getMetadata().getModel(),
          finish,
          whole.getMetadata().getUsage().getCompletionTokens(),
          quote(text));

      List<ChatResponse> chunks =
          chat.prompt(PROMPT).stream().chatResponse().collectList().block(Duration.ofSeconds(60));
      check(chunks != null && chunks.size() > 1, "expected several chunks, got " + chunks);
      StringBuilder streamed = new StringBuilder();
      String streamFinish = null;
      Usage streamUsage = null;
      for (ChatResponse chunk : chunks) {
        if (chunk.getResult() != null) {
          streamed.append(Objects.toString(chunk.getResult().getOutput().getText(), ""));
          String reason = chunk.getResult().getMetadata().getFinishReason();
          streamFinish = reason == null || reason.isEmpty() ? streamFinish : reason;
        }
        Usage usage = chunk.getMetadata().getUsage();
        streamUsage = usage != null && usage.getTotalTokens() > 0 ? usage : streamUsage;
      }
      check(
          streamed.toString().equals(text),
          "streamed " + quote(streamed.toString()) + " != plain " + quote(text));
      checkFinish(streamFinish);
      checkUsage(streamUsage);
      System.out.printf(
          "stream: %d chunks, finish=%s, same text as the plain chat%n",
          chunks.size(), streamFinish);

      List<String> input =
          List.of("microservice architecture", "API design patterns", "serverless computing");
      EmbeddingResponse many = embeddings.embedForResponse(input);
      check(many.getResults().size() == 3, "expected 3 vectors, got " + many.getResults().size());
      for (int i = 0; i < 3; i++) {
        check(many.getResults().get(i).getIndex() == i, "vector " + i + " out of order");
        checkVector(many.getResults().get(i).getOutput());
      }
      float[] one = embeddings.embed("API design patterns");
      checkVector(one);
      double same = cosine(one, many.getResults().get(1).getOutput());
      check(same > 0.999, "same text, different vectors: cosine " + same);
      double other =
          cosine(many.getResults().get(0).getOutput(), many.getResults().get(2).getOutput());
      check(other < 0.99, "different texts, near-identical vectors: cosine " + other);
      System.out.printf(
          "embeddings: %d x %d dims, unit length, same text -> cosine %.4f%n",
          many.getResults().size(), one.length, same);

      // A 4xx is not worth retrying: Spring AI says so with NonTransientAiException.
      try {
        chat.prompt(PROMPT)
            .options(OpenAiChatOptions.builder().model("no-such-model").build())
            .call()
            .content();
        throw new AssertionError("no-such-model: expected an error, the call succeeded");
      } catch (NonTransientAiException e) {
        check(
            e.getMessage().contains("404") && e.getMessage().contains("model_not_found"),
            "got " + e);
      }
      System.out.println("errors: unknown model as NonTransientAiException (404 model_not_found)");
    };
  }

  private static void checkFinish(String reason) {
    check("STOP".equals(reason) || "LENGTH".equals(reason), "finish reason " + reason);
  }

  private static void checkUsage(Usage usage) {
    check(usage != null, "no token usage");
    check(
        usage.getPromptTokens() > 0 && usage.getCompletionTokens() > 0,
        "token usage " + usage);
    check(
        usage.getTotalTokens() == usage.getPromptTokens() + usage.getCompletionTokens(),
        "total != prompt + completion: " + usage);
  }

  private static void checkVector(float[] vector) {
    check(vector.length == 384, "expected 384 dimensions, got " + vector.length);
    double norm = Math.sqrt(cosine(vector, vector));
    check(Math.abs(norm - 1) < 1e-3, "norm " + norm);
  }

  private static double cosine(float[] a, float[] b) { // the vectors are unit length
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new AssertionError(message);
    }
  }

  private static String quote(String s) {
    return '"' + s.replace("\n", "\\n") + '"';
  }
}
