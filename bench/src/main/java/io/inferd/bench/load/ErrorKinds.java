package io.inferd.bench.load;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A short, countable name for why a call failed: "gRPC RESOURCE_EXHAUSTED", "HTTP 429",
 * "ConnectException: …".
 */
final class ErrorKinds {
  private ErrorKinds() {}

  static String of(Throwable error) {
    Throwable e = error;
    while (e.getCause() != null
        && (e instanceof java.util.concurrent.CompletionException
            || e instanceof java.util.concurrent.ExecutionException)) {
      e = e.getCause();
    }
    if (e instanceof StatusRuntimeException status) {
      return "gRPC " + status.getStatus().getCode();
    }
    if (e instanceof io.grpc.StatusException status) {
      return "gRPC " + status.getStatus().getCode();
    }
    if (e instanceof RestDriver.HttpStatusException http) {
      return "HTTP " + http.status;
    }
    if (e instanceof IncompleteAnswerException) {
      return "incomplete answer";
    }
    Status fromThrowable = Status.fromThrowable(e);
    if (fromThrowable.getCode() != Status.Code.UNKNOWN) {
      return "gRPC " + fromThrowable.getCode();
    }
    String message = String.valueOf(rootCause(e).getMessage());
    if (message.length() > 60) {
      message = message.substring(0, 60) + "…";
    }
    return rootCause(e).getClass().getSimpleName() + ": " + message;
  }

  private static Throwable rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }
}
