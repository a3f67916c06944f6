package dev.failuredetector.netty.health;

import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.micrometer.FailureDetectorMetrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.Supplier;

/**
 * The default {@code /metrics} body when micrometer-registry-prometheus is on the classpath: a
 * Prometheus registry of its own with the registry's {@link FailureDetectorMetrics}. This class
 * names Prometheus types, so it is loaded only after {@link #isAvailable()} said they are there.
 */
final class PrometheusText {

  private static final String REGISTRY_CLASS =
      "io.micrometer.prometheusmetrics.PrometheusMeterRegistry";

  private PrometheusText() {}

  /** Whether micrometer-registry-prometheus (and so micrometer-core) is on the classpath. */
  static boolean isAvailable() {
    try {
      Class.forName(REGISTRY_CLASS, false, PrometheusText.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** A scrape of a new Prometheus registry bound to {@code registry}'s metrics. */
  static Supplier<String> of(FailureDetectorRegistry<?> registry) {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new FailureDetectorMetrics(registry, Tags.empty()).bindTo(prometheus);
    return prometheus::scrape;
  }
}
