package io.inferd.client;

import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Opens the client's channel and puts the per-call interceptors in front of it. */
final class Channels {
  static final Metadata.Key<String> API_KEY =
      Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);

  private Channels() {}

  /** A builder for {@code target}, so that retry settings can still be added to it. */
  static ManagedChannelBuilder<?> forTarget(String target, boolean tls, Path trustedCertsPem) {
    // Grpc.newChannelBuilder takes any target string (dns:///, unix:, host:port) and finds the
    // transport (grpc-netty-shaded) on the class path.
    ChannelCredentials credentials = credentials(tls, trustedCertsPem);
    try {
      return Grpc.newChannelBuilder(target, credentials);
    } catch (IllegalArgumentException e) {
      throw badTarget(target, e);
    }
  }

  static ManagedChannel build(ManagedChannelBuilder<?> builder, String target) {
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw badTarget(target, e);
    }
  }

  static Channel intercept(Channel channel, String apiKey, ClientInterceptor logging) {
    List<ClientInterceptor> interceptors = new ArrayList<>();
    if (apiKey != null) {
      var headers = new Metadata();
      headers.put(API_KEY, apiKey);
      interceptors.add(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    if (logging != null) {
      interceptors.add(logging); // last added runs first, so the log sees the whole call
    }
    return ClientInterceptors.intercept(channel, interceptors);
  }

  private static IllegalArgumentException badTarget(String target, IllegalArgumentException e) {
    return new IllegalArgumentException(
        "target: '"
            + target
            + "' (expected: host:port or a gRPC target such as dns:///host:port): "
            + e.getMessage(),
        e);
  }

  private static ChannelCredentials credentials(boolean tls, Path trustedCertsPem) {
    if (!tls) {
      return InsecureChannelCredentials.create();
    }
    if (trustedCertsPem == null) {
      return TlsChannelCredentials.create();
    }
    try {
      return TlsChannelCredentials.newBuilder().trustManager(trustedCertsPem.toFile()).build();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "trusted certificates: cannot read " + trustedCertsPem + " (expected: a PEM file)", e);
    }
  }
}
