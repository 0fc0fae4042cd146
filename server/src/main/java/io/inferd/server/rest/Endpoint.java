package io.inferd.server.rest;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** One REST operation, run after {@link CallGuard} has admitted and authenticated the call. */
@FunctionalInterface
interface Endpoint {
  /**
   * Answers the call, or throws for {@link HttpErrors} to answer; returns the status to record,
   * e.g. {@code "200"}, or {@code "499"} when the client left mid-answer.
   */
  String serve(ServerRequest req, ServerResponse res, RestCall call) throws Exception;
}
