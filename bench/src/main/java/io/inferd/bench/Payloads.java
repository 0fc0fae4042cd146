package io.inferd.bench;

import com.google.protobuf.Timestamp;
import io.inferd.api.v1.BatchEmbedResponse;
import io.inferd.api.v1.Choice;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.EmbedRequest;
import io.inferd.api.v1.Embedding;
import io.inferd.api.v1.Message;
import io.inferd.api.v1.MessageDelta;
import io.inferd.api.v1.StreamChoice;
import io.inferd.api.v1.StreamChunk;
import io.inferd.api.v1.Usage;
import io.inferd.bench.proto.User;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * The data every benchmark uses, in both encodings: the source document's {@code User}, and
 * inferd's real messages (a 3-message conversation, a 64-token answer, one stream chunk, 16 ×
 * 384-dim embeddings). The benchmark-only engine answers with the same tokens and vectors, so the
 * micro-benchmarks measure exactly what the protocol runs put on the wire.
 */
public final class Payloads {
  public static final String MODEL = "bench";
  public static final String EMBED_MODEL = "bench-embed";
  public static final int DIMENSIONS = 384;
  public static final int UNARY_MAX_TOKENS = 64;
  public static final int STREAM_TOKENS = 256;
  public static final int EMBED_TEXTS = 16;

  /** A fixed id and time, so sizes do not change from run to run. */
  public static final String COMPLETION_ID = "cmpl-5f0c8e2a9b7d4c1e3a6f8b2d";

  public static final long CREATED_EPOCH_SECOND = 1_764_000_000L;

  private static final String STORY =
      "Once upon a time, in a small town near the sea, there lived a little robot named Pip. Pip"
          + " liked to help everyone. Every morning he carried bread for the baker, watered the"
          + " flowers for the old lady, and found lost balls for the children in the park. One day"
          + " a big storm came. The wind was loud and the rain fell hard. The children were scared,"
          + " so Pip opened his umbrella wide and stood by the door of the school. He said, \"Do"
          + " not be afraid, I will keep you dry.\" The storm went away and the sun came out again."
          + " The children laughed and hugged Pip. From that day on, everyone in the town called"
          + " him the bravest robot they had ever known, and Pip was very happy.";

  /** 256 pre-generated tokens (words with their leading space), the engine's whole "output". */
  public static final List<String> TOKENS = tokens(STORY, STREAM_TOKENS);

  /** {@link #text}'s answers up to a stream's length, made once: the bench engine's whole text. */
  private static final String[] TEXTS =
      IntStream.rangeClosed(0, STREAM_TOKENS).mapToObj(Payloads::join).toArray(String[]::new);

  /** The 16 texts of the batch-embedding scenario. */
  public static final List<String> EMBED_INPUTS =
      List.of(
          "API design patterns",
          "microservice architecture",
          "serverless computing",
          "event-driven design",
          "HTTP/2 multiplexing",
          "header compression with HPACK",
          "binary framing",
          "Protocol Buffers schema evolution",
          "server streaming for LLM tokens",
          "bidirectional streaming chat",
          "deadline propagation",
          "retry with exponential backoff",
          "authentication interceptors",
          "load balancing long-lived connections",
          "sentence embeddings for search",
          "vector similarity with cosine distance");

  /** Fixed, L2-normalised pseudo-random vectors: realistic float digits, identical every run. */
  private static final float[][] VECTORS = unitVectors(EMBED_TEXTS, DIMENSIONS);

  private Payloads() {}

  private static List<String> tokens(String text, int count) {
    String[] words = text.split(" ");
    List<String> tokens = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String word = words[i % words.length];
      tokens.add(i == 0 ? word : " " + word);
    }
    return List.copyOf(tokens);
  }

  private static float[][] unitVectors(int count, int dimensions) {
    float[][] vectors = new float[count][dimensions];
    for (int i = 0; i < count; i++) {
      Random random = new Random(42 + i);
      double norm = 0;
      for (int d = 0; d < dimensions; d++) {
        vectors[i][d] = (float) random.nextGaussian();
        norm += vectors[i][d] * vectors[i][d];
      }
      float scale = (float) (1 / Math.sqrt(norm));
      for (int d = 0; d < dimensions; d++) {
        vectors[i][d] *= scale;
      }
    }
    return vectors;
  }

  /** The vector the engine returns for the text at {@code index} of a batch (a shared array). */
  public static float[] vector(int index) {
    return VECTORS[index % VECTORS.length];
  }

  /** The first {@code count} tokens as one text. */
  public static String text(int count) {
    return count < TEXTS.length ? TEXTS[count] : join(count);
  }

  private static String join(int count) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < count; i++) {
      text.append(TOKENS.get(i % TOKENS.size()));
    }
    return text.toString();
  }

  /** Whitespace-separated words: the bench engine's "tokenizer". */
  public static int countTokens(String text) {
    int words = 0;
    boolean inWord = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      // printable ASCII first: the full check costs more than the rest of the loop
      boolean space = (c <= ' ' || c >= 0x7f) && Character.isWhitespace(c);
      if (!space && !inWord) {
        words++;
      }
      inWord = !space;
    }
    return words;
  }

  // ---- the source document's User ----

  public static User user() {
    return User.newBuilder()
        .setId("user-42")
        .setName("Kreath")
        .setEmail("kreath@example.com")
        .setAge(30)
        .addTags("developer")
        .addTags("architect")
        .build();
  }

  /** The same User as a plain Java record, the way a Jackson user models it. */
  public record UserJson(String id, String name, String email, int age, List<String> tags) {}

  public static UserJson userJson() {
    return new UserJson(
        "user-42", "Kreath", "kreath@example.com", 30, List.of("developer", "architect"));
  }

  // ---- CompleteRequest / POST /v1/chat/completions ----

  private static final List<String[]> CONVERSATION =
      List.of(
          new String[] {"user", "What is gRPC?"},
          new String[] {"assistant", "A high-performance RPC framework that runs on HTTP/2."},
          new String[] {"user", "How does it compare to REST for streaming tokens?"});

  public static CompleteRequest completeRequest(int maxTokens) {
    CompleteRequest.Builder request =
        CompleteRequest.newBuilder()
            .setModel(MODEL)
            .setTemperature(0.7f)
            .setMaxTokens(maxTokens)
            .setTopP(0.9f)
            .setSeed(42);
    for (String[] message : CONVERSATION) {
      request.addMessages(Message.newBuilder().setRole(message[0]).setContent(message[1]));
    }
    return request.build();
  }

  public static OpenAi.ChatRequest chatRequest(int maxTokens, boolean stream) {
    List<OpenAi.ChatMessage> messages = new ArrayList<>();
    for (String[] message : CONVERSATION) {
      messages.add(new OpenAi.ChatMessage(message[0], message[1]));
    }
    return new OpenAi.ChatRequest(
        MODEL, messages, 0.7f, maxTokens, 0.9f, 42, stream ? Boolean.TRUE : null);
  }

  /** Prompt tokens the bench engine counts for the conversation (one message per line). */
  public static int promptTokens() {
    int tokens = 0;
    for (String[] message : CONVERSATION) {
      tokens += countTokens(message[1]);
    }
    return tokens;
  }

  // ---- CompleteResponse / chat.completion ----

  public static CompleteResponse completeResponse() {
    int prompt = promptTokens();
    return CompleteResponse.newBuilder()
        .setId(COMPLETION_ID)
        .setModel(MODEL)
        .addChoices(
            Choice.newBuilder()
                .setIndex(0)
                .setMessage(
                    Message.newBuilder().setRole("assistant").setContent(text(UNARY_MAX_TOKENS)))
                .setFinishReason("length"))
        .setUsage(usage(prompt, UNARY_MAX_TOKENS))
        .setCreatedAt(Timestamp.newBuilder().setSeconds(CREATED_EPOCH_SECOND).setNanos(123_456_789))
        .build();
  }

  public static OpenAi.ChatCompletion chatCompletion() {
    int prompt = promptTokens();
    return new OpenAi.ChatCompletion(
        COMPLETION_ID,
        "chat.completion",
        CREATED_EPOCH_SECOND,
        MODEL,
        List.of(
            new OpenAi.CompletionChoice(
                0, new OpenAi.ChatMessage("assistant", text(UNARY_MAX_TOKENS)), "length")),
        new OpenAi.Usage(prompt, UNARY_MAX_TOKENS, prompt + UNARY_MAX_TOKENS));
  }

  private static Usage usage(int prompt, int completion) {
    return Usage.newBuilder()
        .setPromptTokens(prompt)
        .setCompletionTokens(completion)
        .setTotalTokens(prompt + completion)
        .build();
  }

  // ---- StreamChunk / chat.completion.chunk: one token in the middle of a stream ----

  public static StreamChunk streamChunk() {
    return StreamChunk.newBuilder()
        .setId(COMPLETION_ID)
        .setModel(MODEL)
        .addChoices(
            StreamChoice.newBuilder()
                .setIndex(0)
                .setDelta(MessageDelta.newBuilder().setContent(TOKENS.get(1))))
        .build();
  }

  public static OpenAi.ChatChunk chatChunk() {
    return new OpenAi.ChatChunk(
        COMPLETION_ID,
        "chat.completion.chunk",
        CREATED_EPOCH_SECOND,
        MODEL,
        List.of(new OpenAi.ChunkChoice(0, new OpenAi.Delta(null, TOKENS.get(1)), null)),
        null);
  }

  // ---- EmbedRequest stream / BatchEmbedResponse / POST /v1/embeddings ----

  public static List<EmbedRequest> embedRequests() {
    List<EmbedRequest> requests = new ArrayList<>(EMBED_TEXTS);
    for (String text : EMBED_INPUTS) {
      requests.add(EmbedRequest.newBuilder().setModel(EMBED_MODEL).setText(text).build());
    }
    return requests;
  }

  public static OpenAi.EmbeddingsRequest embeddingsRequest(boolean base64) {
    return new OpenAi.EmbeddingsRequest(EMBED_MODEL, EMBED_INPUTS, base64 ? "base64" : "float");
  }

  /** Tokens the bench embedder counts for the 16 texts (words plus two special tokens each). */
  public static int embedTokens() {
    int tokens = 0;
    for (String text : EMBED_INPUTS) {
      tokens += countTokens(text) + 2;
    }
    return tokens;
  }

  public static BatchEmbedResponse batchEmbedResponse() {
    BatchEmbedResponse.Builder response = BatchEmbedResponse.newBuilder();
    for (int i = 0; i < EMBED_TEXTS; i++) {
      Embedding.Builder embedding = Embedding.newBuilder().setIndex(i);
      for (float v : vector(i)) {
        embedding.addVector(v);
      }
      response.addEmbeddings(embedding);
    }
    return response.setUsage(usage(embedTokens(), 0)).build();
  }

  public static OpenAi.EmbeddingList embeddingList() {
    List<OpenAi.EmbeddingItem> data = new ArrayList<>(EMBED_TEXTS);
    for (int i = 0; i < EMBED_TEXTS; i++) {
      data.add(new OpenAi.EmbeddingItem("embedding", i, vector(i).clone()));
    }
    return new OpenAi.EmbeddingList(
        "list", data, EMBED_MODEL, new OpenAi.EmbeddingUsage(embedTokens(), embedTokens()));
  }

  public static OpenAi.EmbeddingListBase64 embeddingListBase64() {
    List<OpenAi.EmbeddingItemBase64> data = new ArrayList<>(EMBED_TEXTS);
    for (int i = 0; i < EMBED_TEXTS; i++) {
      data.add(new OpenAi.EmbeddingItemBase64("embedding", i, base64(vector(i))));
    }
    return new OpenAi.EmbeddingListBase64(
        "list", data, EMBED_MODEL, new OpenAi.EmbeddingUsage(embedTokens(), embedTokens()));
  }

  /** OpenAI's base64 format: little-endian float32, base64-encoded (as the gateway writes it). */
  public static String base64(float[] vector) {
    ByteBuffer bytes =
        ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(vector);
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  /** Decodes {@link #base64(float[])}, as a client must. */
  public static float[] fromBase64(String encoded) {
    ByteBuffer bytes =
        ByteBuffer.wrap(Base64.getDecoder().decode(encoded)).order(ByteOrder.LITTLE_ENDIAN);
    float[] vector = new float[bytes.remaining() / Float.BYTES];
    bytes.asFloatBuffer().get(vector);
    return vector;
  }
}
