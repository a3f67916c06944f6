package dev.failuredetector.spring.boot.health.boot4;

import dev.failuredetector.spring.boot.health.FailureDetectorHealth;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@link FailureDetectorHealth} as Spring Boot 4's health ({@code org.springframework.boot
 * .health}): a composite of {@code node}, {@code peers} and {@code probes} (each present when it
 * has something to show), the last two composites with one indicator per id, following peers as
 * they are added and removed.
 */
final class FailureDetectorHealthContributor implements CompositeHealthContributor {

  private final FailureDetectorHealth health;

  FailureDetectorHealthContributor(FailureDetectorHealth health) {
    this.health = health;
  }

  @Override
  public HealthContributor getContributor(String name) {
    return switch (name) {
      case "node" -> (HealthIndicator) () -> health(health.node());
      case "peers" -> health.peerIds().isEmpty() ? null : new Members(health::peerIds);
      case "probes" -> health.probeIds().isEmpty() ? null : new Members(health::probeIds);
      default -> null;
    };
  }

  @Override
  public Stream<HealthContributors.Entry> stream() {
    return Stream.of("node", "peers", "probes")
        .map(name -> {
          HealthContributor part = getContributor(name);
          return part == null ? null : new HealthContributors.Entry(name, part);
        })
        .filter(java.util.Objects::nonNull);
  }

  private static Health health(FailureDetectorHealth.Component component) {
    return Health.status(component.status()).withDetails(component.details()).build();
  }

  /** The peers or the probed targets: one indicator each. */
  private final class Members implements CompositeHealthContributor {
    private final Supplier<List<String>> ids;

    Members(Supplier<List<String>> ids) {
      this.ids = ids;
    }

    @Override
    public HealthContributor getContributor(String id) {
      return ids.get().contains(id) ? indicator(id) : null;
    }

    @Override
    public Stream<HealthContributors.Entry> stream() {
      return ids.get().stream().map(id -> new HealthContributors.Entry(id, indicator(id)));
    }

    private HealthIndicator indicator(String id) {
      // A peer removed between listing and reading shows as UNKNOWN, not as an error.
      return () -> health.component(id).map(FailureDetectorHealthContributor::health)
          .orElseGet(() -> Health.unknown().build());
    }
  }
}
