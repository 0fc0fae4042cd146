package io.inferd.engine.remote;

import static java.util.Objects.requireNonNull;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.inferd.engine.Prompt;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The {@code x-request-id} that ties one call to the upstream calls made for it. A caller's id is
 * taken as is when it looks like an id (printable ASCII, at most 128 characters); otherwise, and
 * when there is none, a fresh one ({@code req-} and 24 hex digits) is made.
 *
 * <p>How an id reaches an upstream engine: {@link #serverInterceptor()} (or any transport) puts it
 * into the gRPC {@link Context} under {@link #CONTEXT_KEY}; the upstream engines' {@code render()},
 * which the core calls on the transport's thread while it plans the request, {@link #remember}s it
 * for the prompt it returns; {@code generate()} runs on an engine thread and {@link #take}s it back
 * by that prompt's identity. (The engine SPI's {@code GenerationRequest} carries no metadata yet;
 * once it does, this hand-off can go.) Prompts rendered but never generated are forgotten after
 * {@value #MAX_PENDING} newer ones.
 */
public final class RequestIds {
  /** The header on gRPC (metadata) and HTTP alike. */
  public static final String HEADER = "x-request-id";

  public static final Metadata.Key<String> METADATA_KEY =
      Metadata.Key.of(HEADER, Metadata.ASCII_STRING_MARSHALLER);

  /** The id of the call being served, set by {@link #serverInterceptor()}. */
  public static final Context.Key<String> CONTEXT_KEY = Context.key("inferd-request-id");

  static final int MAX_PENDING = 4096;
  private static final Pattern ACCEPTABLE = Pattern.compile("[\\x21-\\x7e]{1,128}");

  /** Prompt (by identity) → request id, oldest first; bounded, so unused entries fall out. */
  private static final Map<IdentityKey, String> pending =
      new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<IdentityKey, String> eldest) {
          return size() > MAX_PENDING;
        }
      };

  private RequestIds() {}

  /** A fresh id, e.g. {@code req-4f1c0a9e2b7d5c3e8a6f1d2b}. */
  public static String newId() {
    byte[] bytes = new byte[12];
    ThreadLocalRandom.current().nextBytes(bytes);
    return "req-" + HexFormat.of().formatHex(bytes);
  }

  /** {@code candidate} if it is a usable id, else a fresh one. */
  public static String orNew(String candidate) {
    return candidate != null && ACCEPTABLE.matcher(candidate).matches() ? candidate : newId();
  }

  /** The id of the call this thread serves, if a transport put one into the gRPC context. */
  public static Optional<String> current() {
    return Optional.ofNullable(CONTEXT_KEY.get());
  }

  /** Notes the current call's id (if any) for {@code prompt}; returns the prompt. */
  public static Prompt remember(Prompt prompt) {
    requireNonNull(prompt, "prompt");
    String id = CONTEXT_KEY.get();
    if (id != null) {
      synchronized (pending) {
        pending.put(new IdentityKey(prompt), id);
      }
    }
    return prompt;
  }

  /** The id remembered for this very prompt, else a fresh one. */
  public static String take(Prompt prompt) {
    String id;
    synchronized (pending) {
      id = pending.remove(new IdentityKey(prompt));
    }
    return id != null ? id : newId();
  }

  /**
   * Reads {@code x-request-id} from each call (making one when it is missing or unusable), puts it
   * into the {@link Context} under {@link #CONTEXT_KEY} and sends it back in the response headers,
   * so a caller without an id learns the one its call was logged under.
   */
  public static ServerInterceptor serverInterceptor() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String id = orNew(headers.get(METADATA_KEY));
        ServerCall<Q, R> echoing =
            new SimpleForwardingServerCall<>(call) {
              @Override
              public void sendHeaders(Metadata responseHeaders) {
                responseHeaders.discardAll(METADATA_KEY);
                responseHeaders.put(METADATA_KEY, id);
                super.sendHeaders(responseHeaders);
              }
            };
        return Contexts.interceptCall(
            Context.current().withValue(CONTEXT_KEY, id), echoing, headers, next);
      }
    };
  }

  private record IdentityKey(Prompt prompt) {
    @Override
    public boolean equals(Object other) {
      return other instanceof IdentityKey key && key.prompt == prompt;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(prompt);
    }
  }
}
