package io.inferd.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CallTraceTest {
  private static final String CALLER = "0af7651916cd43dd8448eb211c80319c";

  @Test
  void withoutExport_aCallContinuesItsCallersTrace() {
    Context parent =
        Tracing.remoteParent(
            Map.of("traceparent", "00-" + CALLER + "-b7ad6b7169203331-01"),
            new TextMapGetter<Map<String, String>>() {
              @Override
              public Iterable<String> keys(Map<String, String> carrier) {
                return carrier.keySet();
              }

              @Override
              public String get(Map<String, String> carrier, String key) {
                return carrier.get(key);
              }
            });

    assertThat(CallTrace.idOnly(parent).traceId()).isEqualTo(CALLER);
  }

  @Test
  void withoutExport_aCallWithoutCallerGetsANewTraceIdEachTime() {
    Set<String> ids =
        IntStream.range(0, 100)
            .mapToObj(i -> CallTrace.idOnly(Context.root()).traceId())
            .collect(Collectors.toSet());

    assertThat(ids).hasSize(100).allMatch(id -> id.matches("[0-9a-f]{32}"));
  }

  @Test
  void tracingOff_givesTraceIdsAndRecordsNothing() {
    try (Tracing off = Tracing.off()) {
      CallTrace trace = off.startCall("grpc", "Complete", "svc/Complete", Context.root(), 0);

      assertThat(trace.traceId()).matches("[0-9a-f]{32}");
    }
  }
}
