package io.inferd.client;

import static java.util.Objects.requireNonNull;

import io.inferd.api.v1.InferenceServiceGrpc;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a channel spreads calls over the servers its target resolves to, set through the gRPC service
 * config ({@code loadBalancingConfig}, {@code healthCheckConfig}) next to the retry policy.
 *
 * <ul>
 *   <li>{@link #roundRobin()}: one connection to every server, calls in turn over those that are
 *       READY and, with health checking (the default), whose {@code grpc.health.v1.Health/Watch}
 *       for {@code ai.inference.v1.InferenceService} says SERVING. A server that dies, or says
 *       NOT_SERVING (inferd does as soon as it starts draining), gets no new calls; calls already
 *       running on it go on. A server without the health service counts as healthy. Health checks
 *       need {@code io.grpc:grpc-services} on the class path (a dependency of this library).
 *   <li>{@link #pickFirst()}: grpc-java's default, one server at a time, the next on failure.
 * </ul>
 *
 * Calls that never reached a server (refused while it shut down, or its connection failed before
 * the call was sent) are retried transparently by grpc-java on another pick, even with {@link
 * InferenceClient.Builder#noRetry()}.
 *
 * @param policy {@code round_robin} or {@code pick_first}
 * @param healthCheckService the service whose health decides; null for no health checks
 */
public record LoadBalancing(String policy, String healthCheckService) {
  public static final String ROUND_ROBIN = "round_robin";
  public static final String PICK_FIRST = "pick_first";

  public LoadBalancing {
    requireNonNull(policy, "policy");
    if (!policy.equals(ROUND_ROBIN) && !policy.equals(PICK_FIRST)) {
      throw new IllegalArgumentException(
          "policy: '" + policy + "' (expected: " + ROUND_ROBIN + " or " + PICK_FIRST + ")");
    }
    if (healthCheckService != null && healthCheckService.isBlank()) {
      throw new IllegalArgumentException(
          "healthCheckService: blank (expected: a service name or null)");
    }
  }

  /** Round robin over the servers reporting {@code ai.inference.v1.InferenceService} SERVING. */
  public static LoadBalancing roundRobin() {
    return new LoadBalancing(ROUND_ROBIN, InferenceServiceGrpc.SERVICE_NAME);
  }

  /** One server at a time (grpc-java's default); no health checks. */
  public static LoadBalancing pickFirst() {
    return new LoadBalancing(PICK_FIRST, null);
  }

  /** Parses a CLI value: {@code round_robin} or {@code pick_first}. */
  public static LoadBalancing of(String policy, boolean healthChecks) {
    LoadBalancing lb = new LoadBalancing(policy, null);
    return healthChecks && policy.equals(ROUND_ROBIN) ? roundRobin() : lb;
  }

  /** The same policy without health checks: only connectivity decides. */
  public LoadBalancing withoutHealthChecks() {
    return new LoadBalancing(policy, null);
  }

  /** Only round_robin honours health checks in grpc-java. */
  public boolean healthChecked() {
    return healthCheckService != null && policy.equals(ROUND_ROBIN);
  }

  /** The {@code loadBalancingConfig} (and {@code healthCheckConfig}) part of a service config. */
  public Map<String, ?> serviceConfig() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("loadBalancingConfig", List.of(Map.of(policy, Map.of())));
    if (healthCheckService != null) {
      config.put("healthCheckConfig", Map.of("serviceName", healthCheckService));
    }
    return config;
  }

  /** {@code base} (e.g. a retry policy's service config) with this policy added. */
  Map<String, ?> addTo(Map<String, ?> base) {
    Map<String, Object> merged = new LinkedHashMap<>(base);
    merged.putAll(serviceConfig());
    return merged;
  }
}
