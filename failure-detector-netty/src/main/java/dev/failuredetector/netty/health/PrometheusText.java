package dev.failuredetector.netty.health;

import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.micrometer.FailureDetectorMetrics;
import dev.failuredetector.netty.HeartbeatNode;
import dev.failuredetector.netty.HeartbeatNodeMetrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.Supplier;

/**
 * The default {@code /metrics} body when micrometer-registry-prometheus is on the classpath: a
 * Prometheus registry of its own with the registry's {@link FailureDetectorMetrics}. This class
 * names Micrometer and Prometheus types (verifying it loads them), so it is touched only after
 * {@link PrometheusPresence#isAvailable()} said they are there.
 */
final class PrometheusText {

  private PrometheusText() {}

  /** A scrape of a new Prometheus registry bound to {@code registry}'s and the server's meters. */
  static Supplier<String> of(FailureDetectorRegistry<?> registry, HealthServer server) {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new FailureDetectorMetrics(registry, Tags.empty()).bindTo(prometheus);
    new HealthServerMetrics(server, Tags.empty()).bindTo(prometheus);
    return prometheus::scrape;
  }

  /**
   * A scrape of a new Prometheus registry bound to {@code node}'s meters (transport, registry and
   * per-peer) and the server's, every one tagged {@code node=<id>} (what the shipped dashboard and
   * alerts read).
   */
  static Supplier<String> of(HeartbeatNode node, HealthServer server) {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    HeartbeatNodeMetrics.withPerPeerMeters(node, Tags.empty()).bindTo(prometheus);
    new HealthServerMetrics(server, Tags.of("node", node.localId())).bindTo(prometheus);
    return prometheus::scrape;
  }
}
