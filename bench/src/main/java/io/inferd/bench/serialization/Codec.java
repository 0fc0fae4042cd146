package io.inferd.bench.serialization;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.inferd.bench.OpenAi;
import io.inferd.bench.Payloads;
import java.util.List;

/**
 * One payload in one encoding: its value and how it becomes bytes and back. The three encodings are
 * the ones a client of inferd meets: Protobuf (gRPC), Jackson on OpenAI's JSON shapes (REST), and
 * Protobuf's own JSON mapping (JsonFormat, e.g. gRPC-JSON transcoding).
 */
public interface Codec {
  /** The value that is encoded. */
  Object value();

  byte[] encode();

  Object decode(byte[] bytes);

  /** The payloads, by the names the report uses. */
  List<String> PAYLOADS =
      List.of("User", "CompleteRequest", "CompleteResponse", "StreamChunk", "BatchEmbedResponse");

  List<String> FORMATS = List.of("protobuf", "jackson", "jsonformat");

  /**
   * The extra Jackson-only variant: embeddings as OpenAI's base64 (what the official SDKs ask for).
   */
  String EMBED_BASE64 = "BatchEmbedResponse/base64";

  static Codec of(String payload, String format) {
    if (payload.equals(EMBED_BASE64)) {
      if (!format.equals("jackson")) {
        throw new IllegalArgumentException(EMBED_BASE64 + " exists only as JSON (jackson)");
      }
      return jackson(Payloads.embeddingListBase64(), OpenAi.EmbeddingListBase64.class);
    }
    return switch (format) {
      case "protobuf" -> protobuf(message(payload));
      case "jsonformat" -> jsonFormat(message(payload));
      case "jackson" ->
          switch (payload) {
            case "User" -> jackson(Payloads.userJson(), Payloads.UserJson.class);
            case "CompleteRequest" ->
                jackson(
                    Payloads.chatRequest(Payloads.UNARY_MAX_TOKENS, false),
                    OpenAi.ChatRequest.class);
            case "CompleteResponse" ->
                jackson(Payloads.chatCompletion(), OpenAi.ChatCompletion.class);
            case "StreamChunk" -> jackson(Payloads.chatChunk(), OpenAi.ChatChunk.class);
            case "BatchEmbedResponse" ->
                jackson(Payloads.embeddingList(), OpenAi.EmbeddingList.class);
            default -> throw new IllegalArgumentException("payload: " + payload);
          };
      default -> throw new IllegalArgumentException("format: " + format);
    };
  }

  static Message message(String payload) {
    return switch (payload) {
      case "User" -> Payloads.user();
      case "CompleteRequest" -> Payloads.completeRequest(Payloads.UNARY_MAX_TOKENS);
      case "CompleteResponse" -> Payloads.completeResponse();
      case "StreamChunk" -> Payloads.streamChunk();
      case "BatchEmbedResponse" -> Payloads.batchEmbedResponse();
      default -> throw new IllegalArgumentException("payload: " + payload);
    };
  }

  private static Codec protobuf(Message message) {
    var parser = message.getParserForType();
    return codec(message, message::toByteArray, parser::parseFrom);
  }

  private static Codec jsonFormat(Message message) {
    JsonFormat.Printer printer = JsonFormat.printer().omittingInsignificantWhitespace();
    JsonFormat.Parser parser = JsonFormat.parser();
    return codec(
        message,
        () -> printer.print(message).getBytes(UTF_8),
        bytes -> {
          Message.Builder builder = message.newBuilderForType();
          parser.merge(new String(bytes, UTF_8), builder);
          return builder.build();
        });
  }

  private static <T> Codec jackson(T value, Class<T> type) {
    return codec(
        value,
        () -> OpenAi.MAPPER.writeValueAsBytes(value),
        bytes -> OpenAi.MAPPER.readValue(bytes, type));
  }

  /** Encoding and decoding that may throw; a failure is a broken benchmark, so it is unchecked. */
  interface Encoder {
    byte[] encode() throws Exception;
  }

  interface Decoder {
    Object decode(byte[] bytes) throws Exception;
  }

  private static Codec codec(Object value, Encoder encoder, Decoder decoder) {
    return new Codec() {
      @Override
      public Object value() {
        return value;
      }

      @Override
      public byte[] encode() {
        try {
          return encoder.encode();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }

      @Override
      public Object decode(byte[] bytes) {
        try {
          return decoder.decode(bytes);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    };
  }
}
