package io.inferd.app.models;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;

/**
 * A request that never reached the server: its host name did not resolve, the connection was
 * refused, or connecting failed otherwise. The first two are told apart from a transfer that broke
 * after it started, and are not retried (nothing is listening, or the machine is offline).
 */
final class Unreachable extends IOException {
  enum Why {
    DNS,
    REFUSED,
    OTHER
  }

  private final URI uri;
  private final Why why;

  Unreachable(URI uri, ConnectException cause) {
    super(cause.getMessage(), cause);
    this.uri = uri;
    this.why = classify(cause);
  }

  private static Why classify(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return Why.DNS;
      }
    }
    // The JDK's HttpClient reports a refused connection as a ConnectException without a message
    // (over a ClosedChannelException); a connect timeout is an HttpConnectTimeoutException instead.
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && !message.isBlank() && !message.contains("refused")) {
        return Why.OTHER; // e.g. "No route to host"
      }
    }
    return Why.REFUSED;
  }

  /** Whether retrying in a second could help. */
  boolean retryable() {
    return why == Why.OTHER;
  }

  /** What happened, in words, naming the host (and port). */
  String describe() {
    String host = uri.getHost();
    int port =
        uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    return switch (why) {
      case DNS ->
          "cannot resolve "
              + host
              + " (DNS lookup failed: is this machine offline, or is --endpoint / HF_ENDPOINT"
              + " wrong?)";
      case REFUSED ->
          "connection refused by "
              + host
              + ":"
              + port
              + " (nothing listens there: is --endpoint / HF_ENDPOINT right?)";
      case OTHER -> "cannot connect to " + host + ":" + port + " (" + rootMessage() + ")";
    };
  }

  private String rootMessage() {
    Throwable root = this;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
  }
}
