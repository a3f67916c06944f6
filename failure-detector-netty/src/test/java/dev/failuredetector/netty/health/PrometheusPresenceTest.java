package dev.failuredetector.netty.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class PrometheusPresenceTest {

  @Test
  void saysWhyMetricsCannotServe_forEachMicrometerLine() {
    assertThat(PrometheusPresence.absenceReason(Set.of(PrometheusPresence.REGISTRY_CLASS)::contains))
        .as("1.13 and newer: served").isNull();
    assertThat(PrometheusPresence.absenceReason(
        Set.of(PrometheusPresence.OLD_REGISTRY_CLASS)::contains))
        .as("1.12: the registry is in another package")
        .startsWith("micrometer-registry-prometheus before 1.13 is on the classpath")
        .contains("needs 1.13 or newer");
    assertThat(PrometheusPresence.absenceReason(Set.<String>of()::contains))
        .startsWith("no Prometheus registry: put io.micrometer:micrometer-registry-prometheus");
    // This build has 1.13 or newer:
    assertThat(PrometheusPresence.isAvailable()).isTrue();
  }
}
