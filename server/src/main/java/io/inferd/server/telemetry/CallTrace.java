package io.inferd.server.telemetry;

import io.grpc.Status;
import io.inferd.server.core.GenerationObserver.Phases;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One call's span and the phase spans under it. Times arrive as {@link System#nanoTime()} values
 * and are placed on the wall clock from the call's start, so the phases line up with the call.
 * Attribute names follow the OpenTelemetry semantic conventions (rpc, http, gen_ai).
 */
final class CallTrace {
  static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
  static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
  static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
  static final AttributeKey<Long> RPC_GRPC_STATUS = AttributeKey.longKey("rpc.grpc.status_code");
  static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
  static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> MODEL = AttributeKey.stringKey("gen_ai.response.model");
  static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
  static final AttributeKey<Long> OUTPUT_TOKENS =
      AttributeKey.longKey("gen_ai.usage.output_tokens");
  static final AttributeKey<Long> CHOICE = AttributeKey.longKey("inferd.choice");
  static final AttributeKey<String> KEY_ID = AttributeKey.stringKey("inferd.key_id");
  static final AttributeKey<String> NOTE = AttributeKey.stringKey("inferd.note");

  /** Server errors by the RPC conventions; a client's mistake does not mark the server's span. */
  private static final Set<Status.Code> GRPC_SERVER_ERRORS =
      Set.of(
          Status.Code.UNKNOWN,
          Status.Code.DEADLINE_EXCEEDED,
          Status.Code.UNIMPLEMENTED,
          Status.Code.INTERNAL,
          Status.Code.UNAVAILABLE,
          Status.Code.DATA_LOSS);

  /** A call without tracing (no trace id). */
  static final CallTrace NONE = new CallTrace(null, Span.getInvalid(), 0, 0, null);

  private final Tracer tracer;
  private final Span span;
  private final long startEpochNanos;
  private final long startNanos;
  private final NewTraceId newTraceId; // set when the call starts a trace without a span

  private CallTrace(
      Tracer tracer, Span span, long startEpochNanos, long startNanos, NewTraceId newTraceId) {
    this.tracer = tracer;
    this.span = span;
    this.startEpochNanos = startEpochNanos;
    this.startNanos = startNanos;
    this.newTraceId = newTraceId;
  }

  /** A call with its span, made by {@code tracer}; its phases become the span's children. */
  static CallTrace spanned(Tracer tracer, Span span, long startEpochNanos, long startNanos) {
    return new CallTrace(tracer, span, startEpochNanos, startNanos, null);
  }

  /**
   * A call whose trace is only an id for the access log: the caller's (its span as propagated,
   * which records nothing), or a new random one. No span is made: a tracer would also make a span
   * id and a sampling decision that nothing reads.
   */
  static CallTrace idOnly(Context parent) {
    Span caller = Span.fromContext(parent);
    if (caller.getSpanContext().isValid()) {
      return new CallTrace(null, caller, 0, 0, null);
    }
    var random = ThreadLocalRandom.current();
    long high;
    long low;
    do {
      high = random.nextLong();
      low = random.nextLong();
    } while (high == 0 && low == 0); // all zeros is the invalid trace id
    return new CallTrace(null, Span.getInvalid(), 0, 0, new NewTraceId(high, low));
  }

  /** A new trace id, kept as two numbers until it is read. */
  private record NewTraceId(long high, long low) {}

  /** The 32 hex digits of the trace, or "-" without one. */
  String traceId() {
    if (newTraceId != null) {
      return TraceId.fromLongs(newTraceId.high(), newTraceId.low());
    }
    return span.getSpanContext().isValid() ? span.getSpanContext().getTraceId() : "-";
  }

  /** Queue, prefill and decode spans of one generation, as far as it got. */
  void phases(Phases phases) {
    // The call's span may have ended already (the reply can go out before this report): its
    // context still parents the phases.
    if (tracer == null || !span.getSpanContext().isSampled()) {
      return; // no tracing, or not sampled
    }
    Context parent = Context.root().with(span);
    long queueEnd = phases.started() != 0 ? phases.started() : phases.ended();
    child(parent, "queue", phases.queued(), queueEnd, phases.choice()).end(epoch(queueEnd), NANOS);
    if (phases.started() == 0) {
      return;
    }
    long prefillEnd = phases.firstToken() != 0 ? phases.firstToken() : phases.ended();
    Span prefill = child(parent, "prefill", phases.started(), prefillEnd, phases.choice());
    if (phases.promptTokens() > 0) {
      prefill.setAttribute(INPUT_TOKENS, (long) phases.promptTokens());
    }
    prefill.end(epoch(prefillEnd), NANOS);
    if (phases.firstToken() == 0) {
      return;
    }
    Span decode = child(parent, "decode", phases.firstToken(), phases.ended(), phases.choice());
    if (phases.completionTokens() > 0) {
      decode.setAttribute(OUTPUT_TOKENS, (long) phases.completionTokens());
    }
    decode.end(epoch(phases.ended()), NANOS);
  }

  private Span child(Context parent, String name, long from, long to, int choice) {
    return tracer
        .spanBuilder(name)
        .setParent(parent)
        .setSpanKind(SpanKind.INTERNAL)
        .setStartTimestamp(epoch(Math.min(from, to)), NANOS)
        .setAttribute(CHOICE, (long) choice)
        .startSpan();
  }

  /** Ends the call's span with what the call did and its final code. */
  void end(CallStats call, String code, long endNanos) {
    if (!span.isRecording()) {
      return;
    }
    if (!call.model().isEmpty()) {
      span.setAttribute(MODEL, call.model());
    }
    span.setAttribute(INPUT_TOKENS, (long) call.promptTokens());
    span.setAttribute(OUTPUT_TOKENS, (long) call.completionTokens());
    if (!"-".equals(call.keyId())) {
      span.setAttribute(KEY_ID, call.keyId());
    }
    if (!call.note().isEmpty()) {
      span.setAttribute(NOTE, call.note());
    }
    if ("grpc".equals(call.protocol())) {
      Status.Code status = grpcCode(code);
      span.setAttribute(RPC_GRPC_STATUS, (long) status.value());
      if (GRPC_SERVER_ERRORS.contains(status)) {
        span.setStatus(StatusCode.ERROR, code);
      }
    } else {
      int status = httpStatus(code);
      span.setAttribute(HTTP_STATUS, (long) status);
      if (status >= 500) {
        span.setStatus(StatusCode.ERROR);
      }
    }
    span.end(epoch(endNanos), NANOS);
  }

  private static Status.Code grpcCode(String name) {
    try {
      return Status.Code.valueOf(name);
    } catch (IllegalArgumentException e) {
      return Status.Code.UNKNOWN;
    }
  }

  private static int httpStatus(String code) {
    try {
      return Integer.parseInt(code);
    } catch (NumberFormatException e) {
      return 500;
    }
  }

  private long epoch(long nanoTime) {
    return startEpochNanos + (nanoTime - startNanos);
  }

  private static final TimeUnit NANOS = TimeUnit.NANOSECONDS;
}
