package io.inferd.client;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import io.inferd.api.v1.ChatMessage;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.Message;
import java.time.Instant;

/**
 * Builds requests from plain prompts. Add model and sampling settings with {@code toBuilder()}:
 *
 * <pre>{@code
 * CompleteRequest r = Prompts.complete("Answer in one line.", "What is HTTP/2?").toBuilder()
 *     .setModel("stories").setMaxTokens(64).build();
 * }</pre>
 */
public final class Prompts {
  public static final String SYSTEM = "system";
  public static final String USER = "user";
  public static final String ASSISTANT = "assistant";

  private Prompts() {}

  /** A request with one user message, for the server's default model and settings. */
  public static CompleteRequest complete(String userPrompt) {
    return complete(null, userPrompt);
  }

  /**
   * A request with a system message (left out when {@code systemPrompt} is null or blank) followed
   * by one user message.
   */
  public static CompleteRequest complete(String systemPrompt, String userPrompt) {
    requireNonNull(userPrompt, "userPrompt");
    var request = CompleteRequest.newBuilder();
    if (systemPrompt != null && !systemPrompt.isBlank()) {
      request.addMessages(message(SYSTEM, systemPrompt));
    }
    return request.addMessages(message(USER, userPrompt)).build();
  }

  public static Message message(String role, String content) {
    requireNonNull(role, "role");
    requireNonNull(content, "content");
    return Message.newBuilder().setRole(role).setContent(content).build();
  }

  /** A turn of a {@code Chat} stream, stamped with the current time. */
  public static ChatMessage chatMessage(String role, String content) {
    requireNonNull(role, "role");
    requireNonNull(content, "content");
    Instant now = Instant.now();
    return ChatMessage.newBuilder()
        .setRole(role)
        .setContent(content)
        .setTimestamp(
            Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
        .build();
  }
}
