package io.inferd.server.grpc;

import com.google.protobuf.Timestamp;
import io.inferd.api.v1.BatchEmbedResponse;
import io.inferd.api.v1.Choice;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.Embedding;
import io.inferd.api.v1.Message;
import io.inferd.api.v1.MessageDelta;
import io.inferd.api.v1.StreamChoice;
import io.inferd.api.v1.StreamChunk;
import io.inferd.api.v1.Usage;
import io.inferd.engine.Generation;
import io.inferd.engine.Role;
import io.inferd.server.core.CompletionInput;
import io.inferd.server.core.CompletionInput.InputMessage;
import io.inferd.server.core.InferenceCore.EmbeddingResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Converts between the proto messages and the core's types; no decisions are made here. */
final class ProtoMapping {
  private ProtoMapping() {}

  static CompletionInput toInput(CompleteRequest request) {
    List<InputMessage> messages = new ArrayList<>(request.getMessagesCount());
    for (Message message : request.getMessagesList()) {
      messages.add(new InputMessage(message.getRole(), message.getContent()));
    }
    return new CompletionInput(
        request.getModel(),
        messages,
        request.getTemperature(),
        request.getMaxTokens(),
        request.hasTopP() ? request.getTopP() : null,
        request.hasSeed() ? request.getSeed() : null);
  }

  static Usage usage(int promptTokens, int completionTokens) {
    return Usage.newBuilder()
        .setPromptTokens(promptTokens)
        .setCompletionTokens(completionTokens)
        .setTotalTokens(promptTokens + completionTokens)
        .build();
  }

  static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  static CompleteResponse response(String id, String model, Generation generation, Instant created) {
    return CompleteResponse.newBuilder()
        .setId(id)
        .setModel(model)
        .addChoices(
            Choice.newBuilder()
                .setIndex(0)
                .setMessage(
                    Message.newBuilder()
                        .setRole(Role.ASSISTANT.wireName())
                        .setContent(generation.text()))
                .setFinishReason(generation.finishReason().wireName()))
        .setUsage(usage(generation.promptTokens(), generation.completionTokens()))
        .setCreatedAt(timestamp(created))
        .build();
  }

  /** A chunk with new text; the first chunk of a stream also carries the role. */
  static StreamChunk delta(String id, String model, String text, boolean first) {
    MessageDelta.Builder delta = MessageDelta.newBuilder().setContent(text);
    if (first) {
      delta.setRole(Role.ASSISTANT.wireName());
    }
    return StreamChunk.newBuilder()
        .setId(id)
        .setModel(model)
        .addChoices(StreamChoice.newBuilder().setIndex(0).setDelta(delta))
        .build();
  }

  /** The closing chunk: finish reason and usage, and the role if no token came before it. */
  static StreamChunk last(String id, String model, Generation generation, boolean first) {
    MessageDelta.Builder delta = MessageDelta.newBuilder();
    if (first) {
      delta.setRole(Role.ASSISTANT.wireName());
    }
    return StreamChunk.newBuilder()
        .setId(id)
        .setModel(model)
        .addChoices(
            StreamChoice.newBuilder()
                .setIndex(0)
                .setDelta(delta)
                .setFinishReason(generation.finishReason().wireName()))
        .setUsage(usage(generation.promptTokens(), generation.completionTokens()))
        .build();
  }

  static BatchEmbedResponse embeddings(EmbeddingResult result) {
    BatchEmbedResponse.Builder response = BatchEmbedResponse.newBuilder();
    List<float[]> vectors = result.vectors();
    for (int i = 0; i < vectors.size(); i++) {
      Embedding.Builder embedding = Embedding.newBuilder().setIndex(i);
      for (float v : vectors.get(i)) {
        embedding.addVector(v);
      }
      response.addEmbeddings(embedding);
    }
    return response.setUsage(usage(result.tokenCount(), 0)).build();
  }
}
