package io.inferd.server.interceptor;

import static java.util.Objects.requireNonNull;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.inferd.server.auth.ApiKeyStore;
import io.inferd.server.auth.Credentials;
import java.util.Optional;

/**
 * Lets a call in only with a key the {@link ApiKeyStore} knows, from {@code x-api-key} or {@code
 * authorization: Bearer}; the caller's key id goes into the {@link Context}. Wire it on the
 * inference service only, so health checks and reflection stay open.
 */
public final class AuthInterceptor implements ServerInterceptor {
  public static final Context.Key<String> KEY_ID = Context.key("inferd-key-id");
  private static final Metadata.Key<String> API_KEY =
      Metadata.Key.of(Credentials.API_KEY_HEADER, Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of(Credentials.AUTHORIZATION_HEADER, Metadata.ASCII_STRING_MARSHALLER);

  private final ApiKeyStore keys;

  public AuthInterceptor(ApiKeyStore keys) {
    this.keys = requireNonNull(keys, "keys");
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    if (!keys.enabled()) {
      return next.startCall(call, headers);
    }
    String presented = Credentials.presentedKey(headers.get(API_KEY), headers.get(AUTHORIZATION));
    Optional<String> keyId = keys.authenticate(presented);
    if (keyId.isEmpty()) {
      call.close(
          Status.UNAUTHENTICATED.withDescription(Credentials.failureMessage(presented)),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    CallTracker.stats().keyId(keyId.get());
    return Contexts.interceptCall(
        Context.current().withValue(KEY_ID, keyId.get()), call, headers, next);
  }
}
