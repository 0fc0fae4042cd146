package io.inferd.app;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.Message;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Spans leave the process over OTLP/HTTP when an endpoint is configured: a collector stand-in on
 * 127.0.0.1 receives the call's and its phases' spans, in the caller's trace, with the configured
 * headers.
 */
class OtlpExportEndToEndTest {
  private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  private static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);

  /** One POST the collector received. */
  private record Export(String path, String contentType, String apiKey, byte[] body) {
    /** Protobuf carries strings as UTF-8 and ids as raw bytes; Latin-1 keeps both findable. */
    String text() {
      return new String(body, ISO_8859_1);
    }
  }

  private final List<Export> exports = new CopyOnWriteArrayList<>();
  private HttpServer collector;

  @BeforeEach
  void startCollector() throws Exception {
    collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    collector.createContext(
        "/",
        exchange -> {
          var body = new ByteArrayOutputStream();
          exchange.getRequestBody().transferTo(body);
          exports.add(
              new Export(
                  exchange.getRequestURI().getPath(),
                  exchange.getRequestHeaders().getFirst("Content-Type"),
                  exchange.getRequestHeaders().getFirst("x-collector-key"),
                  body.toByteArray()));
          exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse
          exchange.close();
        });
    collector.start();
  }

  @AfterEach
  void stopCollector() {
    collector.stop(0);
  }

  @Test
  void otlpEndpointConfigured_spansOfTheCallAndItsPhasesArriveAtTheCollector() throws Exception {
    var tracing =
        TracingOptions.settings(
            "http://127.0.0.1:" + collector.getAddress().getPort(),
            Map.of("OTEL_EXPORTER_OTLP_HEADERS", "x-collector-key=s3cret"));
    try (var running =
        RunningServer.start(
            RunningServer.testConfig().parallel(1).queue(1).tracing(tracing).build(),
            RunningServer.withEmbedder(TestModels.tiny()))) {
      Metadata headers = new Metadata();
      headers.put(TRACEPARENT, "00-" + TRACE_ID + "-b7ad6b7169203331-01");
      running
          .blocking()
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .complete(
              CompleteRequest.newBuilder()
                  .addMessages(Message.newBuilder().setRole("user").setContent("the cat"))
                  .setMaxTokens(2)
                  .build());
    } // stopping exports what is still buffered

    assertThat(exports).isNotEmpty();
    assertThat(exports)
        .allSatisfy(
            export -> {
              assertThat(export.path()).isEqualTo("/v1/traces");
              assertThat(export.contentType()).isEqualTo("application/x-protobuf");
              assertThat(export.apiKey()).isEqualTo("s3cret");
            });
    String all = String.join("", exports.stream().map(Export::text).toList());
    assertThat(all)
        .contains(
            "ai.inference.v1.InferenceService/Complete",
            "queue",
            "prefill",
            "decode",
            "service.name",
            "inferd",
            "gen_ai.response.model")
        .contains(new String(HexFormat.of().parseHex(TRACE_ID), ISO_8859_1));
  }
}
