package dev.failuredetector.qos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.IntervalHistogram;
import dev.failuredetector.micrometer.FailureDetectorMetrics;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A scrape of the registry-wide meters of 100,000 peers: the shadow candidates' 2 meters per
 * candidate walk the peers once between them (once per meter would be 6 walks here, 16 with 8
 * candidates). The other registry-wide meters read {@code stats()}, which reads counters and no
 * peer at all: O(1), shown by {@code RegistryStatsBenchmark} (the same time at 1,000 and 100,000
 * peers; before the counters it grew with the peers).
 */
class ScrapeCostTest {

  private static final int PEERS = 100_000;

  @Test
  void aScrapeOfAHundredThousandPeers_readsEachPeerOnce_forTheShadowTotals_only() {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    ShadowCandidates shadows = ShadowCandidates.of(List.of(
        DetectorSpec.parse("deadline:pause=50ms"), DetectorSpec.parse("deadline:pause=1s"),
        DetectorSpec.parse("deadline:pause=2s")));
    try (FailureDetectorRegistry<Integer> registry = FailureDetectorRegistry.builder()
        .detector(DetectorSpec.parse("deadline:interval=100ms")).maxPeers(PEERS)
        .plugin(new IntervalHistogram()).plugin(shadows).clock(now::get).build()) {
      for (int i = 0; i < PEERS; i++) {
        registry.register(i).heartbeat(1, now.get());
      }
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      new FailureDetectorMetrics(registry, Tags.empty()).bindTo(meters);
      int shadowMeters = 0;
      for (int scrape = 0; scrape < 2; scrape++) {
        for (Meter meter : meters.getMeters()) {
          for (Measurement measurement : meter.measure()) {
            measurement.getValue();
          }
          if (scrape == 0 && meter.getId().getName().startsWith("failure.detector.shadow.")) {
            shadowMeters++;
          }
        }
      }
      assertThat(shadowMeters).as("shadow meters read per scrape").isEqualTo(6);
      assertThat(shadows.peerReads())
          .as("peers read for the shadow totals in two scrapes a moment apart").isEqualTo(PEERS);
      assertThat(registry.stats().heartbeatsRecorded()).isEqualTo(PEERS);
    }
  }
}
