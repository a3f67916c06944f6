package dev.failuredetector.spring.boot.health.boot3;

import dev.failuredetector.spring.boot.health.FailureDetectorHealth;
import java.util.Iterator;
import java.util.function.Function;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.NamedContributor;

/**
 * {@link FailureDetectorHealth} as Spring Boot 3's actuator health: a composite of {@code node},
 * {@code peers} and {@code probes} (each present when it has something to show), the last two
 * composites with one indicator per id, following peers as they are added and removed.
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
  public Iterator<NamedContributor<HealthContributor>> iterator() {
    return health.parts().stream().map((Function<String, NamedContributor<HealthContributor>>)
        name -> NamedContributor.of(name, getContributor(name))).iterator();
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
    public Iterator<NamedContributor<HealthContributor>> iterator() {
      return health.members(part).stream().map((Function<String,
          NamedContributor<HealthContributor>>) id -> NamedContributor.of(id, indicator(id)))
          .iterator();
    }

    private HealthIndicator indicator(String id) {
      // A peer removed between listing and reading shows as UNKNOWN, not as an error.
      return () -> health.component(id).map(FailureDetectorHealthContributor::health)
          .orElseGet(() -> Health.unknown().build());
    }
  }
}
