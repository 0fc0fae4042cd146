package io.inferd.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;

/**
 * The OpenAI JSON shapes inferd's REST gateway reads and writes ({@code
 * server/.../rest/OpenAiJson}), as Jackson data classes: what a Java REST client of inferd would
 * (de)serialise. {@code OpenAiShapesTest} checks them against the gateway's real output field by
 * field.
 */
public final class OpenAi {
  /** A typical client mapper: unknown fields are ignored, as OpenAI clients do. */
  public static final JsonMapper MAPPER =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private OpenAi() {}

  /** POST /v1/chat/completions body. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ChatRequest(
      String model,
      List<ChatMessage> messages,
      Float temperature,
      @JsonProperty("max_tokens") Integer maxTokens,
      @JsonProperty("top_p") Float topP,
      Integer seed,
      Boolean stream) {}

  public record ChatMessage(String role, String content) {}

  /** The whole answer, {@code object: chat.completion}. */
  public record ChatCompletion(
      String id,
      String object,
      long created,
      String model,
      List<CompletionChoice> choices,
      Usage usage) {}

  /** {@code logprobs} is always written, {@code null} unless the request asked for them. */
  public record CompletionChoice(
      int index,
      ChatMessage message,
      @JsonInclude(JsonInclude.Include.ALWAYS) Object logprobs,
      @JsonProperty("finish_reason") String finishReason) {
    public CompletionChoice(int index, ChatMessage message, String finishReason) {
      this(index, message, null, finishReason);
    }
  }

  public record Usage(
      @JsonProperty("prompt_tokens") int promptTokens,
      @JsonProperty("completion_tokens") int completionTokens,
      @JsonProperty("total_tokens") int totalTokens) {}

  /**
   * One server-sent event of a stream, {@code object: chat.completion.chunk}; usage only in the
   * last.
   */
  public record ChatChunk(
      String id,
      String object,
      long created,
      String model,
      List<ChunkChoice> choices,
      @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage) {}

  /** The gateway always writes {@code finish_reason}, {@code null} until the last chunk. */
  public record ChunkChoice(
      int index,
      Delta delta,
      @JsonProperty("finish_reason") @JsonInclude(JsonInclude.Include.ALWAYS)
          String finishReason) {}

  /** The first delta carries the role, the others only content; the last one may be empty. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Delta(String role, String content) {}

  /** POST /v1/embeddings body. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record EmbeddingsRequest(
      String model, List<String> input, @JsonProperty("encoding_format") String encodingFormat) {}

  /** {@code encoding_format: float}: each vector a JSON array of numbers. */
  public record EmbeddingList(
      String object, List<EmbeddingItem> data, String model, EmbeddingUsage usage) {}

  public record EmbeddingItem(String object, int index, float[] embedding) {}

  /**
   * {@code encoding_format: base64}: each vector its little-endian float32 bytes, base64-encoded.
   */
  public record EmbeddingListBase64(
      String object, List<EmbeddingItemBase64> data, String model, EmbeddingUsage usage) {}

  public record EmbeddingItemBase64(String object, int index, String embedding) {}

  public record EmbeddingUsage(
      @JsonProperty("prompt_tokens") int promptTokens,
      @JsonProperty("total_tokens") int totalTokens) {}
}
