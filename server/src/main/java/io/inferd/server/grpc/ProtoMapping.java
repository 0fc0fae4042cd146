package io.inferd.server.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.inferd.api.v1.BatchEmbedResponse;
import io.inferd.api.v1.ChatMessage;
import io.inferd.api.v1.Choice;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.Embedding;
import io.inferd.api.v1.Logprobs;
import io.inferd.api.v1.Message;
import io.inferd.api.v1.MessageDelta;
import io.inferd.api.v1.SamplingOptions;
import io.inferd.api.v1.StreamChoice;
import io.inferd.api.v1.StreamChunk;
import io.inferd.api.v1.TokenLogprob;
import io.inferd.api.v1.Tool;
import io.inferd.api.v1.ToolCall;
import io.inferd.api.v1.TopLogprob;
import io.inferd.api.v1.Usage;
import io.inferd.engine.GeneratedToken;
import io.inferd.engine.Generation;
import io.inferd.engine.Role;
import io.inferd.engine.ToolDefinition;
import io.inferd.engine.Turn;
import io.inferd.server.core.Completion;
import io.inferd.server.core.CompletionInput;
import io.inferd.server.core.CompletionInput.InputMessage;
import io.inferd.server.core.GenerationControls;
import io.inferd.server.core.GenerationControls.OutputFormat;
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
      List<Turn.ToolCall> calls = new ArrayList<>(message.getToolCallsCount());
      for (ToolCall call : message.getToolCallsList()) {
        calls.add(new Turn.ToolCall(call.getId(), call.getName(), call.getArgumentsJson()));
      }
      messages.add(
          new InputMessage(
              message.getRole(), message.getContent(), calls, message.getToolCallId()));
    }
    return new CompletionInput(
        request.getModel(),
        messages,
        request.getTemperature(),
        request.getMaxTokens(),
        request.hasTopP() ? request.getTopP() : null,
        request.hasSeed() ? request.getSeed() : null,
        controls(request));
  }

  static GenerationControls controls(CompleteRequest r) {
    return GenerationControls.builder()
        .stop(r.getStopList())
        .topK(r.hasTopK() ? r.getTopK() : null)
        .minP(r.hasMinP() ? r.getMinP() : null)
        .repetitionPenalty(r.hasRepetitionPenalty() ? r.getRepetitionPenalty() : null)
        .presencePenalty(r.hasPresencePenalty() ? r.getPresencePenalty() : null)
        .frequencyPenalty(r.hasFrequencyPenalty() ? r.getFrequencyPenalty() : null)
        .n(r.hasN() ? r.getN() : null)
        .logprobs(r.getLogprobs())
        .topLogprobs(r.hasTopLogprobs() ? r.getTopLogprobs() : null)
        .outputFormat(
            switch (r.getOutputFormatCase()) {
              case JSON_SCHEMA -> new OutputFormat.JsonSchema(r.getJsonSchema(), true);
              case JSON_OBJECT -> r.getJsonObject() ? new OutputFormat.JsonObject() : null;
              case GRAMMAR -> new OutputFormat.Grammar(r.getGrammar());
              case OUTPUTFORMAT_NOT_SET -> null;
            })
        .tools(tools(r.getToolsList()))
        .toolChoice(r.hasToolChoice() ? r.getToolChoice() : null)
        .parallelToolCalls(r.hasParallelToolCalls() ? r.getParallelToolCalls() : null)
        .build();
  }

  private static List<ToolDefinition> tools(List<Tool> tools) {
    List<ToolDefinition> out = new ArrayList<>(tools.size());
    for (Tool tool : tools) {
      out.add(
          new ToolDefinition(
              tool.getName(),
              tool.getDescription(),
              tool.getParametersJsonSchema().isBlank()
                  ? "{\"type\":\"object\"}"
                  : tool.getParametersJsonSchema()));
    }
    return out;
  }

  static List<ToolCall> toolCalls(List<Turn.ToolCall> calls) {
    List<ToolCall> out = new ArrayList<>(calls.size());
    for (Turn.ToolCall call : calls) {
      out.add(
          ToolCall.newBuilder()
              .setId(call.id())
              .setName(call.name())
              .setArgumentsJson(call.argumentsJson())
              .build());
    }
    return out;
  }

  /**
   * A Chat message's options for the reply to it; unset temperature is the server's chat default.
   */
  static CompletionInput chatOptions(ChatMessage m, float defaultTemperature, String model) {
    SamplingOptions s = m.getSampling();
    GenerationControls controls =
        GenerationControls.builder()
            .stop(s.getStopList())
            .topK(s.hasTopK() ? s.getTopK() : null)
            .minP(s.hasMinP() ? s.getMinP() : null)
            .repetitionPenalty(s.hasRepetitionPenalty() ? s.getRepetitionPenalty() : null)
            .presencePenalty(s.hasPresencePenalty() ? s.getPresencePenalty() : null)
            .frequencyPenalty(s.hasFrequencyPenalty() ? s.getFrequencyPenalty() : null)
            .build();
    return new CompletionInput(
        model,
        List.of(),
        s.hasTemperature() ? s.getTemperature() : defaultTemperature,
        m.getMaxTokens(),
        s.hasTopP() ? s.getTopP() : null,
        s.hasSeed() ? s.getSeed() : null,
        controls);
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

  static CompleteResponse response(
      String id, String model, Completion completion, boolean logprobs, Instant created) {
    CompleteResponse.Builder response = CompleteResponse.newBuilder().setId(id).setModel(model);
    for (Completion.Choice choice : completion.choices()) {
      Generation generation = choice.generation();
      Choice.Builder c =
          Choice.newBuilder()
              .setIndex(choice.index())
              .setMessage(message(generation.text(), choice.toolCalls()))
              .setFinishReason(generation.finishReason().wireName());
      if (logprobs) {
        c.setLogprobs(logprobs(choice.logprobs()));
      }
      response.addChoices(c);
    }
    return response
        .setUsage(usage(completion.promptTokens(), completion.completionTokens()))
        .setCreatedAt(timestamp(created))
        .build();
  }

  /**
   * The answer's text goes in as UTF-8 bytes, encoded once by the JDK's intrinsic: as a String,
   * protobuf walks it char by char twice per send, once to size the message and once to write it.
   */
  private static Message message(String text, List<Turn.ToolCall> calls) {
    Message.Builder message =
        Message.newBuilder()
            .setRole(Role.ASSISTANT.wireName())
            .setContentBytes(ByteString.copyFromUtf8(text));
    if (!calls.isEmpty()) { // adding none would still copy the builder's empty list
      message.addAllToolCalls(toolCalls(calls));
    }
    return message.build();
  }

  static Logprobs logprobs(List<GeneratedToken> tokens) {
    Logprobs.Builder out = Logprobs.newBuilder();
    for (GeneratedToken token : tokens) {
      TokenLogprob.Builder entry =
          TokenLogprob.newBuilder()
              .setToken(token.text())
              .setTokenId(token.id())
              .setLogprob(token.logprob())
              .setBytes(ByteString.copyFromUtf8(token.text()));
      for (GeneratedToken.Alternative alt : token.topLogprobs()) {
        entry.addTopLogprobs(
            TopLogprob.newBuilder()
                .setToken(alt.text())
                .setTokenId(alt.id())
                .setLogprob(alt.logprob())
                .setBytes(ByteString.copyFrom(alt.bytes())));
      }
      out.addContent(entry);
    }
    return out.build();
  }

  /**
   * A stream's id and model as UTF-8, encoded once for all its chunks (as Strings, protobuf would
   * encode them twice per chunk: once to size it, once to write it).
   */
  record StreamHeader(ByteString id, ByteString model) {
    StreamHeader(String id, String model) {
      this(ByteString.copyFromUtf8(id), ByteString.copyFromUtf8(model));
    }

    StreamChunk.Builder chunk() {
      return StreamChunk.newBuilder().setIdBytes(id).setModelBytes(model);
    }
  }

  /** A chunk with new text of one choice; a choice's first chunk also carries the role. */
  static StreamChunk delta(
      StreamHeader header,
      int index,
      String text,
      List<GeneratedToken> tokens,
      boolean logprobs,
      boolean first) {
    MessageDelta.Builder delta = MessageDelta.newBuilder().setContent(text);
    if (first) {
      delta.setRole(Role.ASSISTANT.wireName());
    }
    StreamChoice.Builder choice = StreamChoice.newBuilder().setIndex(index).setDelta(delta);
    if (logprobs) {
      choice.setLogprobs(logprobs(tokens));
    }
    return header.chunk().addChoices(choice).build();
  }

  /**
   * The closing chunk: every choice's finish reason, the usage of all of them, and the role for a
   * choice that had no chunk before.
   */
  static StreamChunk last(StreamHeader header, Completion completion, boolean[] started) {
    StreamChunk.Builder chunk = header.chunk();
    for (Completion.Choice choice : completion.choices()) {
      MessageDelta.Builder delta = MessageDelta.newBuilder();
      if (!started[choice.index()]) {
        delta.setRole(Role.ASSISTANT.wireName());
      }
      delta.addAllToolCalls(toolCalls(choice.toolCalls()));
      chunk.addChoices(
          StreamChoice.newBuilder()
              .setIndex(choice.index())
              .setDelta(delta)
              .setFinishReason(choice.generation().finishReason().wireName()));
    }
    return chunk.setUsage(usage(completion.promptTokens(), completion.completionTokens())).build();
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
