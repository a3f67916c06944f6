package dev.failuredetector.netty.health;

/**
 * Whether micrometer-registry-prometheus (and the micrometer-core it needs) is on the classpath.
 * Names no Micrometer type itself, so asking is safe when they are absent.
 */
final class PrometheusPresence {

  /** Micrometer 1.13 and newer (the package this library's /metrics uses). */
  static final String REGISTRY_CLASS = "io.micrometer.prometheusmetrics.PrometheusMeterRegistry";
  /** Micrometer 1.12 and older, whose Prometheus registry lived in another package. */
  static final String OLD_REGISTRY_CLASS = "io.micrometer.prometheus.PrometheusMeterRegistry";

  private PrometheusPresence() {}

  static boolean isAvailable() {
    return absenceReason(PrometheusPresence::loads) == null;
  }

  /**
   * Why the built-in {@code /metrics} cannot serve, or null if it can: said plainly for the
   * versions that have the registry elsewhere. The supported range is Micrometer 1.13 and newer.
   */
  static String absenceReason(java.util.function.Predicate<String> classPresent) {
    if (classPresent.test(REGISTRY_CLASS)) {
      return null;
    }
    if (classPresent.test(OLD_REGISTRY_CLASS)) {
      return "micrometer-registry-prometheus before 1.13 is on the classpath (its registry is"
          + " io.micrometer.prometheus.PrometheusMeterRegistry); the built-in /metrics needs 1.13"
          + " or newer: upgrade it, or give HealthServer.Builder.prometheusText your registry's"
          + " scrape";
    }
    return "no Prometheus registry: put io.micrometer:micrometer-registry-prometheus (1.13 or"
        + " newer) on the classpath, or give HealthServer.Builder.prometheusText a scrape";
  }

  static boolean isLoadable(String className) {
    return loads(className);
  }

  private static boolean loads(String className) {
    try {
      // initialize=false still loads the superclasses, so a missing micrometer-core shows here.
      Class.forName(className, false, PrometheusPresence.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
