package dev.failuredetector.netty.health;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;
import java.util.Objects;

/**
 * Micrometer meters for a {@link HealthServer}, read from one {@link HealthStats} snapshot per
 * meter (O(1)): {@code failure.detector.health.events} (counter, tag {@code event}: {@code
 * http.responses}, {@code client.errors}, {@code slow.clients}, {@code agent.answers}, {@code
 * agent.bad.requests}, {@code connections.rejected}, {@code connections.timed.out}, {@code
 * connection.errors}) and {@code failure.detector.health.connections.open} (gauge). A server that
 * serves {@code /metrics} with its own registry includes these. Thread-safe; the meters hold the
 * server weakly, as Micrometer's do.
 */
public final class HealthServerMetrics implements MeterBinder {

  private final HealthServer server;
  private final Tags tags;

  /** Meters of {@code server}, with {@code tags} on each. */
  public HealthServerMetrics(HealthServer server, Iterable<io.micrometer.core.instrument.Tag> tags) {
    this.server = Objects.requireNonNull(server, "server");
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (HealthStats.Counter counter : HealthStats.Counter.values()) {
      FunctionCounter.builder("failure.detector.health.events", server,
              s -> s.stats().count(counter))
          .description("What the health endpoints did, by event")
          .tags(tags).tag("event", counter.name().toLowerCase(Locale.ROOT).replace('_', '.'))
          .register(registry);
    }
    Gauge.builder("failure.detector.health.connections.open", server,
            s -> s.stats().openConnections())
        .description("Connections open to the health endpoints, both listeners together")
        .tags(tags).register(registry);
  }
}
