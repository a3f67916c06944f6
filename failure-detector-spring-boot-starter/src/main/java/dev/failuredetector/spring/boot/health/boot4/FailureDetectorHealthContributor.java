package dev.failuredetector.spring.boot.health.boot4;

import dev.failuredetector.spring.boot.health.FailureDetectorHealth;
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
    if (FailureDetectorHealth.NODE.equals(name)) {
      return (HealthIndicator) () -> health(health.node());
    }
    return health.parts().contains(name) ? new Members(name) : null;
  }

  @Override
  public Stream<HealthContributors.Entry> stream() {
    return health.parts().stream()
        .map(name -> new HealthContributors.Entry(name, getContributor(name)));
  }

  private static Health health(FailureDetectorHealth.Component component) {
    return Health.status(component.status()).withDetails(component.details()).build();
  }

  /** The peers or the probed targets: one indicator each. */
  private final class Members implements CompositeHealthContributor {
    private final String part;

    Members(String part) {
      this.part = part;
    }

    @Override
    public HealthContributor getContributor(String id) {
      return health.isMember(part, id) ? indicator(id) : null;
    }

    @Override
    public Stream<HealthContributors.Entry> stream() {
      return health.members(part).stream()
          .map(id -> new HealthContributors.Entry(id, indicator(id)));
    }

    private HealthIndicator indicator(String id) {
      // A peer removed between listing and reading shows as UNKNOWN, not as an error.
      return () -> health.component(id).map(FailureDetectorHealthContributor::health)
          .orElseGet(() -> Health.unknown().build());
    }
  }
}
