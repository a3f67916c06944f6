package dev.failuredetector.pekko;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import org.apache.pekko.actor.ActorSystem;

/**
 * Micrometer meters over every {@link PekkoFailureDetector} an actor system created (cluster and
 * remote watch together), read at scrape time: {@code failure.detector.pekko.detectors} (how many),
 * {@code failure.detector.pekko.mistakes} (heartbeats that came after the detector had given up
 * on their node), and the distribution of the current timeouts, {@code
 * failure.detector.pekko.timeout{statistic=min|median|p90|max}} in seconds. Tagged {@code
 * system=<actor system name>} and {@code tags}. Needs micrometer-core (an optional dependency).
 * <pre>{@code
 * new PekkoFailureDetectorMetrics(system, Tags.empty()).bindTo(meterRegistry);
 * }</pre>
 */
public final class PekkoFailureDetectorMetrics implements MeterBinder {

  private static final String PREFIX = "failure.detector.pekko.";

  private final PekkoFailureDetectors detectors;
  private final Tags tags;

  public PekkoFailureDetectorMetrics(ActorSystem system, Iterable<Tag> tags) {
    this.detectors = PekkoFailureDetectors.of(Objects.requireNonNull(system, "system"));
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags")).and("system", system.name());
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder(PREFIX + "detectors", detectors, PekkoFailureDetectors::count)
        .description("Failure detectors the actor system holds (one per monitored node and role)")
        .tags(tags).register(registry);
    FunctionCounter.builder(PREFIX + "mistakes", detectors, PekkoFailureDetectors::mistakes)
        .description("Heartbeats that arrived after the detector had given up on their node")
        .tags(tags).register(registry);
    quantile(registry, "min", 0.0);
    quantile(registry, "median", 0.5);
    quantile(registry, "p90", 0.9);
    quantile(registry, "max", 1.0);
  }

  private void quantile(MeterRegistry registry, String statistic, double q) {
    Gauge.builder(PREFIX + "timeout", detectors, d -> quantileSeconds(d.timeoutsNanos(), q))
        .description("Current timeouts of the detectors (how long after a heartbeat they suspect)")
        .baseUnit("seconds").tags(tags).tag("statistic", statistic).register(registry);
  }

  private static double quantileSeconds(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)));
    return sorted[index] / 1e9;
  }
}
