package io.inferd.server.auth;

/** Reads the API key a client sent, in either of the two headers clients use. */
public final class Credentials {
  public static final String API_KEY_HEADER = "x-api-key";
  public static final String AUTHORIZATION_HEADER = "authorization";
  private static final String BEARER = "bearer ";

  private Credentials() {}

  /**
   * The key from {@code x-api-key}, else from {@code authorization: Bearer KEY}; null if neither.
   */
  public static String presentedKey(String apiKeyHeader, String authorizationHeader) {
    if (apiKeyHeader != null && !apiKeyHeader.isBlank()) {
      return apiKeyHeader.strip();
    }
    if (authorizationHeader != null
        && authorizationHeader.length() > BEARER.length()
        && authorizationHeader.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return authorizationHeader.substring(BEARER.length()).strip();
    }
    return null;
  }

  /** The message a caller gets back; says what to send, never echoes what was sent. */
  public static String failureMessage(String presented) {
    return presented == null
        ? "missing API key: send it in the 'x-api-key' header or as 'authorization: Bearer <key>'"
        : "invalid API key: the key sent is not one this server accepts";
  }
}
