package dev.failuredetector.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.ManualClock;
import dev.failuredetector.ManualTicks;
import dev.failuredetector.TransitionReason;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FailureDetectorMetricsTest {

  private final ManualClock clock = new ManualClock(0);
  private final ManualTicks ticks = new ManualTicks(clock);
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private FailureDetectorRegistry<String> registry;

  private FailureDetectorRegistry.Builder builder() {
    return FailureDetectorRegistry.builder()
        .detector(DetectorSpec.deadline().withInterval(Duration.ofMillis(100))
            .withPause(Duration.ofMillis(200)))
        .clock(clock).tickScheduler(ticks).listenerExecutor(Runnable::run)
        .confirmationTime(Duration.ofSeconds(1));
  }

  @AfterEach
  void close() {
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void registryWideMeters_followStatesTransitionsMistakesAndHeartbeats() {
    registry = FailureDetectorMetrics.monitor(meters, builder().build(), "cluster", "zone", "a");
    registry.register("p1");
    registry.register("p2");
    registry.register("p3");
    registry.heartbeat("p1");
    registry.heartbeat("p2");
    registry.heartbeat("nobody");
    ticks.advanceMillis(350); // p1 and p2 suspected
    registry.heartbeat("p1"); // a mistake
    registry.markFailed("p3", TransitionReason.CONNECTION_REFUSED);

    assertThat(gauge("failure.detector.peers", "state", "available")).isEqualTo(1);
    assertThat(gauge("failure.detector.peers", "state", "suspected")).isEqualTo(1);
    assertThat(gauge("failure.detector.peers", "state", "failed")).isEqualTo(1);
    assertThat(gauge("failure.detector.peers", "state", "unknown")).isZero();
    assertThat(counter("failure.detector.transitions", "reason", "timeout")).isEqualTo(2);
    assertThat(counter("failure.detector.transitions", "reason", "recovered")).isEqualTo(1);
    assertThat(counter("failure.detector.transitions", "reason", "connection.refused"))
        .isEqualTo(1);
    assertThat(counter("failure.detector.transitions", "reason", "first.heartbeat")).isEqualTo(2);
    assertThat(counter("failure.detector.mistakes")).isEqualTo(1);
    assertThat(counter("failure.detector.heartbeats", "outcome", "received")).isEqualTo(3);
    assertThat(counter("failure.detector.heartbeats", "outcome", "unknown.peer")).isEqualTo(1);
    assertThat(counter("failure.detector.local.pauses")).isZero();

    // every meter carries the registry's tags and a description
    for (Meter meter : meters.getMeters()) {
      assertThat(meter.getId().getTag("registry")).isEqualTo("cluster");
      assertThat(meter.getId().getTag("zone")).isEqualTo("a");
      assertThat(meter.getId().getDescription()).isNotBlank();
      assertThat(meter.getId().getName()).startsWith("failure.detector.").isLowerCase();
    }
  }

  @Test
  void localPausesAndTickLag_areMeasured() {
    registry = FailureDetectorMetrics.monitor(meters, builder().build(), "r");
    clock.advanceMillis(2_000); // the timer was frozen
    ticks.advanceMillis(10);
    assertThat(counter("failure.detector.local.pauses")).isEqualTo(1);
    assertThat(gauge("failure.detector.tick.lag.max", null, null)).isCloseTo(2.0, within(0.02));
    ticks.advanceMillis(10);
    assertThat(gauge("failure.detector.tick.lag", null, null)).isZero();
  }

  @Test
  void perPeerMeters_areOptIn_andFollowRegistrationsAndRemovals() {
    registry = builder().detector(DetectorSpec.phi()
        .withInterval(Duration.ofMillis(100)).withPause(Duration.ZERO)
        ).build();
    registry.register("early");
    FailureDetectorMetrics metrics =
        FailureDetectorMetrics.withPerPeerMeters(registry, Tags.of("registry", "r"), key -> key);
    metrics.bindTo(meters);
    registry.register("late");
    for (int i = 0; i < 50; i++) {
      registry.heartbeat("early");
      registry.heartbeat("late");
      ticks.advanceMillis(100);
    }
    assertThat(gauge("failure.detector.peer.interval.mean", "peer", "late"))
        .isCloseTo(0.1, within(1e-6));
    // The phi detector's own window: 49 intervals of 100 ms plus Pekko's seed, 75 and 125 ms,
    // so the deviation is sqrt(2 * 25^2 / 51) ms = 4.9507 ms.
    assertThat(gauge("failure.detector.peer.interval.stddev", "peer", "late"))
        .isCloseTo(Math.sqrt(2 * 25.0 * 25.0 / 51) / 1000, within(1e-6));
    assertThat(gauge("failure.detector.peer.phi", "peer", "early")).isBetween(0.0, 1.0);
    assertThat(gauge("failure.detector.peer.timeout", "peer", "early")).isBetween(0.1, 1.0);

    registry.remove("late");
    assertThat(meters.find("failure.detector.peer.phi").tag("peer", "late").gauge()).isNull();
    assertThat(meters.find("failure.detector.peer.phi").tag("peer", "early").gauge()).isNotNull();
    metrics.close();
    assertThat(meters.find("failure.detector.peer.phi").gauges()).isEmpty();
    assertThat(meters.find("failure.detector.peers").gauges()).isNotEmpty();
  }

  @Test
  void withoutPerPeerMeters_noPeerTagAppears() {
    registry = builder().build();
    new FailureDetectorMetrics(registry, Tags.empty()).bindTo(meters);
    registry.register("p");
    assertThat(meters.getMeters()).allSatisfy(m -> assertThat(m.getId().getTag("peer")).isNull());
  }

  private double gauge(String name, String tag, String value) {
    var search = meters.find(name);
    if (tag != null) {
      search = search.tag(tag, value);
    }
    return search.gauge().value();
  }

  private double counter(String name, String tag, String value) {
    return meters.find(name).tag(tag, value).functionCounter().count();
  }

  private double counter(String name) {
    return meters.find(name).functionCounter().count();
  }

  @Test
  void shadowCandidates_getAMistakeCounterAndADetectionTimeGauge_each() {
    registry = builder().plugin(dev.failuredetector.qos.ShadowCandidates.of(List.of(
        DetectorSpec.parse("deadline:pause=50ms"), DetectorSpec.parse("deadline:pause=1s"))))
        .build();
    new FailureDetectorMetrics(registry, Tags.empty()).bindTo(meters);
    var peer = registry.register("b");
    long now = 0;
    for (int seq = 1; seq <= 100; seq++) {
      now += (seq % 10 == 0 ? 300 : 100) * 1_000_000L; // every tenth gap 300 ms
      clock.set(now);
      peer.heartbeat(seq, now);
    }
    String fast = "deadline:interval=100ms,pause=50ms";
    String slow = "deadline:interval=100ms,pause=1s";
    assertThat(meters.get("failure.detector.shadow.mistakes").tag("candidate", fast)
        .functionCounter().count()).isEqualTo(10);
    assertThat(meters.get("failure.detector.shadow.mistakes").tag("candidate", slow)
        .functionCounter().count()).isZero();
    assertThat(meters.get("failure.detector.shadow.detection.time").tag("candidate", fast)
        .gauge().value()).isCloseTo(0.150, within(1e-9));
    assertThat(meters.get("failure.detector.shadow.detection.time").tag("candidate", slow)
        .gauge().value()).isCloseTo(1.100, within(1e-9));
  }

  @Test
  void everyMeter_survivesAGarbageCollection_whenNobodyKeepsTheBinder() {
    registry = builder().plugin(new dev.failuredetector.IntervalHistogram())
        .plugin(dev.failuredetector.qos.ShadowCandidates.of(List.of(
            DetectorSpec.parse("deadline:pause=50ms")))).build();
    FailureDetectorMetrics.monitor(meters, registry, "r"); // the binder is dropped at once
    var peer = registry.register("b");
    long now = 0;
    for (int seq = 1; seq <= 20; seq++) {
      now += (seq % 10 == 0 ? 300 : 100) * 1_000_000L;
      clock.set(now);
      peer.heartbeat(seq, now);
    }
    Map<String, Double> before = readAll();
    assertThat(before).isNotEmpty();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Map<String, Double> after = readAll();
    assertThat(after).isEqualTo(before);
    assertThat(after.values()).as("no meter reads NaN after a GC").noneMatch(v -> Double.isNaN(v));
    assertThat(after).containsKey("failure.detector.shadow.mistakes"
        + "[candidate:deadline:interval=100ms,pause=50ms, registry:r]");
  }

  /** Every registry-wide meter's value by name and tags (per-peer NaN gauges are off here). */
  private Map<String, Double> readAll() {
    Map<String, Double> values = new java.util.TreeMap<>();
    for (io.micrometer.core.instrument.Meter meter : meters.getMeters()) {
      double value = meter.match(g -> g.value(), c -> c.count(), t -> 0.0, d -> 0.0,
          l -> 0.0, g -> g.value(), c -> c.count(), t -> 0.0, m -> 0.0);
      List<String> tags = meter.getId().getTags().stream()
          .map(t -> t.getKey() + ":" + t.getValue()).sorted().toList();
      values.put(meter.getId().getName() + tags, value);
    }
    return values;
  }

  @Test
  void heartbeatIntervals_areACumulativeHistogram_overEveryPeer() {
    registry = builder().plugin(new dev.failuredetector.IntervalHistogram()).build();
    new FailureDetectorMetrics(registry, Tags.empty()).bindTo(meters);
    var b = registry.register("b");
    var c = registry.register("c");
    long now = 0;
    for (int seq = 1; seq <= 11; seq++) { // b: 10 intervals of 100 ms
      now += 100_000_000L;
      clock.set(now);
      b.heartbeat(seq, now);
    }
    for (int seq = 1; seq <= 4; seq++) { // c: 3 intervals of 1.5 s
      now += 1_500_000_000L;
      clock.set(now);
      c.heartbeat(seq, now);
    }
    java.util.function.Function<String, Double> bucket = le -> meters
        .get("failure.detector.heartbeat.intervals").tag("le", le).functionCounter().count();
    assertThat(bucket.apply("0.05")).isZero();
    assertThat(bucket.apply("0.1")).isEqualTo(10);
    assertThat(bucket.apply("1")).isEqualTo(10);
    assertThat(bucket.apply("2")).isEqualTo(13);
    assertThat(bucket.apply("+Inf")).isEqualTo(13);
    assertThat(meters.find("failure.detector.heartbeat.intervals").functionCounters())
        .hasSize(17);
  }
}
