package io.inferd.server.core;

import io.inferd.engine.InferenceException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests per caller (API key id, or peer address when auth is off) as a token bucket: {@code
 * burst} requests at once, refilled at {@code perSecond}. A rate of 0 turns it off.
 */
public final class RateLimiter {
  private final double perSecond;
  private final double burst;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimiter(double perSecond, double burst) {
    if (perSecond < 0 || burst < 0 || (perSecond > 0 && burst < 1)) {
      throw new IllegalArgumentException(
          "rate limit " + perSecond + "/s burst " + burst + " (expected: rate >= 0, burst >= 1)");
    }
    this.perSecond = perSecond;
    this.burst = burst;
  }

  public static RateLimiter off() {
    return new RateLimiter(0, 0);
  }

  /** Whether any caller can be limited (off: {@link #acquire} never throws). */
  public boolean enabled() {
    return perSecond > 0;
  }

  /**
   * Takes one request from {@code caller}'s bucket.
   *
   * @throws RateLimitedException when the bucket is empty
   */
  public void acquire(String caller) {
    if (perSecond == 0) {
      return;
    }
    Bucket bucket = buckets.computeIfAbsent(caller, k -> new Bucket(burst, System.nanoTime()));
    long waitMillis = bucket.take(perSecond, burst, System.nanoTime());
    if (waitMillis > 0) {
      throw new RateLimitedException(caller, perSecond, (long) burst, waitMillis);
    }
  }

  private static final class Bucket {
    private double tokens;
    private long updatedNanos;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.updatedNanos = now;
    }

    /** 0 when a token was taken, else the millis until one is there. */
    synchronized long take(double perSecond, double burst, long now) {
      tokens = Math.min(burst, tokens + (now - updatedNanos) / 1e9 * perSecond);
      updatedNanos = now;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return (long) Math.ceil((1 - tokens) / perSecond * 1000);
    }
  }

  /** Too many requests from one caller; retry after {@link #retryAfterMillis()}. */
  public static final class RateLimitedException extends InferenceException {
    RateLimitedException(String caller, double perSecond, long burst, long retryAfterMillis) {
      super(
          Kind.RESOURCE_EXHAUSTED,
          "rate_limit_exceeded",
          "rate limit: caller '"
              + caller
              + "' is over "
              + perSecond
              + " requests/s (burst "
              + burst
              + ", --rate-limit); retry in "
              + retryAfterMillis
              + " ms",
          retryAfterMillis,
          null);
    }
  }
}
