package dev.failuredetector.netty.health;

/**
 * Whether micrometer-registry-prometheus (and the micrometer-core it needs) is on the classpath.
 * Names no Micrometer type itself, so asking is safe when they are absent.
 */
final class PrometheusPresence {

  private static final String REGISTRY_CLASS =
      "io.micrometer.prometheusmetrics.PrometheusMeterRegistry";

  private PrometheusPresence() {}

  static boolean isAvailable() {
    try {
      // initialize=false still loads the superclasses, so a missing micrometer-core shows here.
      Class.forName(REGISTRY_CLASS, false, PrometheusPresence.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
