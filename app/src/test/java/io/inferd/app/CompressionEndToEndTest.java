package io.inferd.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.Message;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** gzip: requests accepted compressed, responses compressed for clients that accept it. */
class CompressionEndToEndTest {
  private static final Metadata.Key<String> ENCODING =
      Metadata.Key.of("grpc-encoding", Metadata.ASCII_STRING_MARSHALLER);
  private RunningServer running;

  @AfterEach
  void stop() throws Exception {
    running.close();
  }

  private String responseEncoding(RunningServer server) {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    var answer =
        server
            .blocking()
            .withCompression("gzip") // the request goes out gzipped
            .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
            .complete(
                CompleteRequest.newBuilder()
                    .addMessages(Message.newBuilder().setRole("user").setContent("the cat"))
                    .setMaxTokens(3)
                    .build());
    assertThat(answer.getUsage().getCompletionTokens()).isEqualTo(3);
    return headers.get().get(ENCODING);
  }

  @Test
  void compressingServer_acceptsGzipRequests_andAnswersGzipped() throws Exception {
    running = RunningServer.withCompression(ObservedGenerator.open(TestModels.tiny()));
    assertThat(responseEncoding(running)).isEqualTo("gzip");
  }

  @Test
  void defaultServer_acceptsGzipRequests_andAnswersUncompressed() throws Exception {
    running = RunningServer.start(ObservedGenerator.open(TestModels.tiny()), 1, 1);
    assertThat(responseEncoding(running)).isNotEqualTo("gzip");
  }
}
