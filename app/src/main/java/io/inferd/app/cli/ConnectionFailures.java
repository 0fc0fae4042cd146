package io.inferd.app.cli;

import io.grpc.Status;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * One line for a call that never reached an inferd server: which target was tried, what went wrong
 * in words (not Netty's), and what to do about it.
 */
final class ConnectionFailures {
  private static final String HOW_TO_FIX =
      "start one with ./inferd serve, or give the server's gRPC address with --target HOST:PORT";

  private ConnectionFailures() {}

  /** The explanation, or empty when {@code status} is not a failure to reach a gRPC server. */
  static Optional<String> explain(Status status, String target) {
    String text = allText(status);
    if (text.contains("First received frame was not SETTINGS")
        || text.contains("HTTP/1.1 header parser received no bytes")) {
      return Optional.of(
          target
              + " does not speak gRPC (it answered in HTTP/1: is it inferd's REST port? serve's"
              + " gRPC port is --port, 50051 by default); give the gRPC address with --target"
              + " HOST:PORT");
    }
    if (status.getCode() != Status.Code.UNAVAILABLE) {
      return Optional.empty();
    }
    if (has(status, UnknownHostException.class)
        || has(status, UnresolvedAddressException.class)
        || text.contains("cannot resolve")
        || text.contains("Unable to resolve host")) {
      return Optional.of(
          "cannot resolve the host of "
              + target
              + " (DNS lookup failed); check the name in --target HOST:PORT");
    }
    if (has(status, ConnectException.class) || text.contains("Connection refused")) {
      return Optional.of("no inferd server at " + target + " (connection refused); " + HOW_TO_FIX);
    }
    if (has(status, SSLException.class)) {
      return Optional.of(
          "TLS with "
              + target
              + " failed ("
              + rootMessage(status)
              + "); use --tls only if the server was started with --tls-cert");
    }
    return Optional.empty();
  }

  private static boolean has(Status status, Class<? extends Throwable> type) {
    for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String allText(Status status) {
    var text = new StringBuilder(String.valueOf(status.getDescription()));
    for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
      text.append(' ').append(t.getMessage());
    }
    return text.toString();
  }

  private static String rootMessage(Status status) {
    Throwable root = status.getCause();
    while (root != null && root.getCause() != null) {
      root = root.getCause();
    }
    return root == null
        ? String.valueOf(status.getDescription())
        : String.valueOf(root.getMessage());
  }
}
