package io.inferd.examples.langchain4j;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Checks inferd's OpenAI-compatible REST API through LangChain4j's OpenAI module: chat, streaming
 * chat and embeddings. Exits 1 when a check fails.
 *
 * <pre>
 *   INFERD_REST_URL=http://127.0.0.1:8080/v1 [INFERD_API_KEY=...] mvn -q compile exec:exec
 * </pre>
 *
 * INFERD_CHAT_MODEL (inferd-kjv-5m) and INFERD_EMBED_MODEL (all-minilm-l6-v2) pick the models.
 */
public final class LangChain4jCheck {
  private static final String PROMPT = "Once upon a time";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final String baseUrl = env("INFERD_REST_URL", "http://127.0.0.1:8080/v1");
  private final String apiKey = env("INFERD_API_KEY", "none");
  private final String chatModel = env("INFERD_CHAT_MODEL", "inferd-kjv-5m");
  private final String embedModel = env("INFERD_EMBED_MODEL", "all-minilm-l6-v2");

  public static void main(String[] args) {
    try {
      new LangChain4jCheck().run();
      System.out.println("langchain4j check: OK");
    } catch (Throwable e) {
      System.err.println("langchain4j check: FAILED: " + e);
      e.printStackTrace(System.err);
      System.exit(1);
    }
  }

  private void run() throws Exception {
    // Greedy (temperature 0), so the streamed answer must be the same text.
    OpenAiChatModel chat =
        OpenAiChatModel.builder()
            .baseUrl(baseUrl)
            .apiKey(apiKey)
            .modelName(chatModel)
            .temperature(0.0)
            .maxTokens(24)
            .maxRetries(0) // a check should see the server's first answer
            .timeout(TIMEOUT)
            .build();
    ChatResponse whole = chat.chat(UserMessage.from(PROMPT));
    String text = whole.aiMessage().text();
    check(text != null && !text.isEmpty(), "empty completion");
    checkFinish(whole.finishReason());
    checkUsage(whole.tokenUsage());
    System.out.printf(
        "chat: model=%s finish=%s tokens=%d: %s%n",
        whole.modelName(),
        whole.finishReason(),
        whole.tokenUsage().outputTokenCount(),
        quote(text));

    OpenAiStreamingChatModel streaming =
        OpenAiStreamingChatModel.builder()
            .baseUrl(baseUrl)
            .apiKey(apiKey)
            .modelName(chatModel)
            .temperature(0.0)
            .maxTokens(24)
            .timeout(TIMEOUT)
            .build();
    List<String> chunks = new ArrayList<>();
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();
    streaming.chat(
        List.of(UserMessage.from(PROMPT)),
        new StreamingChatResponseHandler() {
          @Override
          public void onPartialResponse(String partial) {
            chunks.add(partial);
          }

          @Override
          public void onCompleteResponse(ChatResponse response) {
            done.complete(response);
          }

          @Override
          public void onError(Throwable error) {
            done.completeExceptionally(error);
          }
        });
    ChatResponse last = done.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    String streamed = String.join("", chunks);
    check(chunks.size() > 1, "expected several chunks, got " + chunks.size());
    check(streamed.equals(last.aiMessage().text()), "chunks differ from the final message");
    check(streamed.equals(text), "streamed " + quote(streamed) + " != plain " + quote(text));
    checkFinish(last.finishReason());
    checkUsage(last.tokenUsage());
    System.out.printf(
        "stream: %d chunks, finish=%s, same text as the plain chat%n",
        chunks.size(), last.finishReason());

    OpenAiEmbeddingModel embeddings =
        OpenAiEmbeddingModel.builder()
            .baseUrl(baseUrl)
            .apiKey(apiKey)
            .modelName(embedModel)
            .maxRetries(0)
            .timeout(TIMEOUT)
            .build();
    List<TextSegment> input =
        List.of(
            TextSegment.from("microservice architecture"),
            TextSegment.from("API design patterns"),
            TextSegment.from("serverless computing"));
    Response<List<Embedding>> many = embeddings.embedAll(input);
    check(many.content().size() == 3, "expected 3 vectors, got " + many.content().size());
    many.content().forEach(e -> checkVector(e.vector()));
    Embedding one = embeddings.embed("API design patterns").content();
    checkVector(one.vector());
    double same = cosine(one.vector(), many.content().get(1).vector());
    check(same > 0.999, "same text, different vectors: cosine " + same);
    double other = cosine(many.content().get(0).vector(), many.content().get(2).vector());
    check(other < 0.99, "different texts, near-identical vectors: cosine " + other);
    System.out.printf(
        "embeddings: %d x %d dims, unit length, same text -> cosine %.4f%n",
        many.content().size(), one.dimension(), same);

    // inferd's errors arrive as LangChain4j's typed exceptions.
    expect(
        ModelNotFoundException.class,
        () ->
            OpenAiChatModel.builder()
                .baseUrl(baseUrl)
                .apiKey(apiKey)
                .modelName("no-such-model")
                .maxRetries(0)
                .build()
                .chat(PROMPT));
    if (!"none".equals(apiKey)) { // the server has keys only when INFERD_API_KEY is given
      expect(
          AuthenticationException.class,
          () ->
              OpenAiChatModel.builder()
                  .baseUrl(baseUrl)
                  .apiKey("wrong-" + apiKey)
                  .modelName(chatModel)
                  .maxRetries(0)
                  .build()
                  .chat(PROMPT));
    }
    System.out.println("errors: unknown model and wrong key as LangChain4j exceptions");
  }

  private static void checkFinish(FinishReason reason) {
    check(
        reason == FinishReason.STOP || reason == FinishReason.LENGTH, "finish reason " + reason);
  }

  private static void checkUsage(TokenUsage usage) {
    check(usage != null, "no token usage");
    check(usage.inputTokenCount() > 0 && usage.outputTokenCount() > 0, "token usage " + usage);
    check(
        usage.totalTokenCount() == usage.inputTokenCount() + usage.outputTokenCount(),
        "total != input + output: " + usage);
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

  private static void expect(Class<? extends Throwable> type, Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      check(type.isInstance(e), "expected " + type.getSimpleName() + ", got " + e);
      return;
    }
    throw new AssertionError("expected " + type.getSimpleName() + ", but the call succeeded");
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new AssertionError(message);
    }
  }

  private static String quote(String s) {
    return '"' + s.replace("\n", "\\n") + '"';
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
