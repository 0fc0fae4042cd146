package io.inferd.client;

import java.util.Arrays;
import java.util.regex.Pattern;

/** Target strings: a bare comma-separated list of addresses becomes a {@code static:///} target. */
final class Targets {
  /** A URI scheme followed by ':' (dns:, static:, unix:, xds:…), as grpc-java reads targets. */
  private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:(?!\\d)");

  private Targets() {}

  /** {@code h1:50051,h2:50051} → {@code static:///h1:50051,h2:50051}; anything else unchanged. */
  static String normalize(String target) {
    String t = target.strip();
    if (!t.contains(",") || SCHEME.matcher(t).find()) {
      return t;
    }
    return StaticNameResolverProvider.target(
        Arrays.stream(t.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList());
  }

  static boolean isStatic(String target) {
    return target.startsWith(StaticNameResolverProvider.SCHEME + ":");
  }
}
