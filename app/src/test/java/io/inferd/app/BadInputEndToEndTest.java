package io.inferd.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.InferenceServiceGrpc;
import io.inferd.api.v1.Message;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bytes no well-behaved client sends: the server answers with a status and keeps serving. */
class BadInputEndToEndTest {
  private RunningServer running;

  @BeforeEach
  void start() throws Exception {
    running = RunningServer.start(ObservedGenerator.open(TestModels.tiny()), 1, 1);
  }

  @AfterEach
  void stop() throws Exception {
    running.close();
  }

  /** Complete, but the request is whatever bytes the test gives. */
  private static final MethodDescriptor<byte[], CompleteResponse> RAW_COMPLETE =
      InferenceServiceGrpc.getCompleteMethod().toBuilder(
              new MethodDescriptor.Marshaller<byte[]>() {
                @Override
                public InputStream stream(byte[] value) {
                  return new ByteArrayInputStream(value);
                }

                @Override
                public byte[] parse(InputStream stream) {
                  throw new UnsupportedOperationException("requests only");
                }
              },
              InferenceServiceGrpc.getCompleteMethod().getResponseMarshaller())
          .build();

  private CompleteResponse sendRaw(byte[] request) {
    return ClientCalls.blockingUnaryCall(
        running.channel,
        RAW_COMPLETE,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
        request);
  }

  @Test
  void malformedProtobuf_isInvalidArgument_andTheServerKeepsServing() {
    byte[] garbage = {(byte) 0x12, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0x01};
    assertThatThrownBy(() -> sendRaw(garbage))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains("malformed request", "Complete");
            });
    assertThat(running.blocking().complete(valid().build()).getChoicesCount()).isEqualTo(1);
  }

  @Test
  void invalidUtf8InAStringField_isInvalidArgument() {
    // field 2 (messages) → Message{role: "user", content: 0xC3 0x28 (not UTF-8)}
    byte[] message = {0x0a, 0x04, 'u', 's', 'e', 'r', 0x12, 0x02, (byte) 0xc3, 0x28};
    byte[] request = new byte[message.length + 2];
    request[0] = 0x12;
    request[1] = (byte) message.length;
    System.arraycopy(message, 0, request, 2, message.length);
    assertThatThrownBy(() -> sendRaw(request))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }

  @Test
  void unknownFields_areIgnored() {
    byte[] known = valid().setMaxTokens(2).build().toByteArray();
    byte[] withUnknown = new byte[known.length + 3];
    System.arraycopy(known, 0, withUnknown, 0, known.length);
    withUnknown[known.length] = (byte) 0xf8; // field 99, varint
    withUnknown[known.length + 1] = 0x06;
    withUnknown[known.length + 2] = 0x07;
    assertThat(sendRaw(withUnknown).getUsage().getCompletionTokens()).isEqualTo(2);
  }

  private static CompleteRequest.Builder valid() {
    return CompleteRequest.newBuilder()
        .addMessages(Message.newBuilder().setRole("user").setContent("the cat"))
        .setMaxTokens(1);
  }

  @Test
  void hugeModelName_isNotEchoedWholeIntoTheStatus() {
    String name = "m".repeat(1 << 20);
    assertThatThrownBy(
            () ->
                running
                    .blocking()
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .complete(
                        io.inferd.api.v1.CompleteRequest.newBuilder()
                            .setModel(name)
                            .addMessages(
                                io.inferd.api.v1.Message.newBuilder()
                                    .setRole("user")
                                    .setContent("the cat"))
                            .build()))
        .isInstanceOfSatisfying(
            io.grpc.StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.NOT_FOUND);
              assertThat(e.getStatus().getDescription()).hasSizeLessThan(2_000).contains("cut");
            });
  }
}
