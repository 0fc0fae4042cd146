package io.inferd.client.testing;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.inferd.api.v1.BatchEmbedResponse;
import io.inferd.api.v1.ChatMessage;
import io.inferd.api.v1.Choice;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.EmbedRequest;
import io.inferd.api.v1.Embedding;
import io.inferd.api.v1.InferenceServiceGrpc;
import io.inferd.api.v1.Message;
import io.inferd.api.v1.MessageDelta;
import io.inferd.api.v1.StreamChoice;
import io.inferd.api.v1.StreamChunk;
import io.inferd.api.v1.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-in server for client tests: answers {@code "echo: <last user message>"}, records what it
 * received, never answers model {@value #SILENT_MODEL}, breaks the stream of model {@value
 * #BREAKING_MODEL} after one chunk with UNAVAILABLE, and rejects negative max_tokens and empty
 * texts with INVALID_ARGUMENT.
 */
public final class FakeInferenceService extends InferenceServiceGrpc.InferenceServiceImplBase {
  public static final String SILENT_MODEL = "silent";
  public static final String DEFAULT_MODEL = "fake";
  public static final String BREAKING_MODEL = "breaking";

  public final List<CompleteRequest> completeRequests = new CopyOnWriteArrayList<>();
  public final List<EmbedRequest> embedRequests = new CopyOnWriteArrayList<>();
  public final List<ChatMessage> chatMessages = new CopyOnWriteArrayList<>();

  /** Counts down when a call to the silent model is cancelled (client cancel or deadline). */
  public final CountDownLatch silentCallCancelled = new CountDownLatch(1);

  /** Counts down when a client half-closes its Chat stream. */
  public final CountDownLatch chatHalfClosed = new CountDownLatch(1);

  @Override
  public void complete(CompleteRequest request, StreamObserver<CompleteResponse> out) {
    completeRequests.add(request);
    if (rejectedOrSilent(request, out)) {
      return;
    }
    String answer = answer(request);
    out.onNext(
        CompleteResponse.newBuilder()
            .setId("cmpl-1")
            .setModel(modelOf(request))
            .addChoices(
                Choice.newBuilder()
                    .setMessage(Message.newBuilder().setRole("assistant").setContent(answer))
                    .setFinishReason("stop"))
            .setUsage(usage(request, answer))
            .build());
    out.onCompleted();
  }

  @Override
  public void streamComplete(CompleteRequest request, StreamObserver<StreamChunk> out) {
    completeRequests.add(request);
    if (rejectedOrSilent(request, out)) {
      return;
    }
    String answer = answer(request);
    String[] words = answer.split(" ");
    for (int i = 0; i < words.length; i++) {
      String token = i == 0 ? words[i] : " " + words[i];
      out.onNext(chunk(request, StreamChoice.newBuilder().setDelta(delta(token))).build());
      if (request.getModel().equals(BREAKING_MODEL)) {
        out.onError(Status.UNAVAILABLE.withDescription("engine lost").asRuntimeException());
        return;
      }
    }
    out.onNext(
        chunk(request, StreamChoice.newBuilder().setFinishReason("stop"))
            .setUsage(usage(request, answer))
            .build());
    out.onCompleted();
  }

  @Override
  public StreamObserver<EmbedRequest> batchEmbed(StreamObserver<BatchEmbedResponse> out) {
    List<EmbedRequest> batch = new ArrayList<>();
    return new StreamObserver<>() {
      @Override
      public void onNext(EmbedRequest request) {
        embedRequests.add(request);
        batch.add(request);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        var response = BatchEmbedResponse.newBuilder();
        int tokens = 0;
        for (int i = 0; i < batch.size(); i++) {
          String text = batch.get(i).getText();
          if (text.isEmpty()) {
            out.onError(invalid("texts[" + i + "]: empty (expected: text)"));
            return;
          }
          tokens += words(text);
          response.addEmbeddings(
              Embedding.newBuilder()
                  .setIndex(i)
                  .addVector(text.length())
                  .addVector(i)
                  .addVector(0.5f)
                  .addVector(-0.25f)
                  .addVector(1f));
        }
        out.onNext(response.setUsage(Usage.newBuilder().setTotalTokens(tokens)).build());
        out.onCompleted();
      }
    };
  }

  @Override
  public StreamObserver<ChatMessage> chat(StreamObserver<ChatMessage> out) {
    return new StreamObserver<>() {
      @Override
      public void onNext(ChatMessage message) {
        chatMessages.add(message);
        if (message.getRole().equals("user")) {
          out.onNext(
              ChatMessage.newBuilder()
                  .setRole("assistant")
                  .setContent("echo: " + message.getContent())
                  .build());
        }
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        chatHalfClosed.countDown();
        out.onCompleted();
      }
    };
  }

  private boolean rejectedOrSilent(CompleteRequest request, StreamObserver<?> out) {
    if (request.getMaxTokens() < 0) {
      out.onError(invalid("max_tokens: " + request.getMaxTokens() + " (expected: >= 0)"));
      return true;
    }
    if (request.getModel().equals(SILENT_MODEL)) {
      Context.current().addListener(context -> silentCallCancelled.countDown(), Runnable::run);
      return true;
    }
    return false;
  }

  private static StreamChunk.Builder chunk(CompleteRequest request, StreamChoice.Builder choice) {
    return StreamChunk.newBuilder().setId("cmpl-1").setModel(modelOf(request)).addChoices(choice);
  }

  private static MessageDelta delta(String token) {
    return MessageDelta.newBuilder().setContent(token).build();
  }

  private static String answer(CompleteRequest request) {
    String user = "";
    for (Message m : request.getMessagesList()) {
      if (m.getRole().equals("user")) {
        user = m.getContent();
      }
    }
    return "echo: " + user;
  }

  private static Usage usage(CompleteRequest request, String answer) {
    int prompt = request.getMessagesList().stream().mapToInt(m -> words(m.getContent())).sum();
    int completion = words(answer);
    return Usage.newBuilder()
        .setPromptTokens(prompt)
        .setCompletionTokens(completion)
        .setTotalTokens(prompt + completion)
        .build();
  }

  private static String modelOf(CompleteRequest request) {
    return request.getModel().isEmpty() ? DEFAULT_MODEL : request.getModel();
  }

  private static int words(String text) {
    return text.isBlank() ? 0 : text.strip().split("\\s+").length;
  }

  private static RuntimeException invalid(String description) {
    return Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException();
  }
}
