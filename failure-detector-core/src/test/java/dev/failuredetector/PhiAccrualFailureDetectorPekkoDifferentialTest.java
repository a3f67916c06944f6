package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Our phi detector against Pekko's own, same settings, same arrivals: phi and availability must
 * agree at every heartbeat and at query times between heartbeats, including at the exact
 * millisecond where suspicion starts. Arrivals are whole milliseconds and the first estimate a
 * multiple of 4 ms, because Pekko works in truncated milliseconds (see the class Javadoc).
 */
class PhiAccrualFailureDetectorPekkoDifferentialTest {

  private static final int SEQUENCES = 600;
  private static final long NANOS_PER_MILLI = 1_000_000L;
  /** Any origin works for our clock; a negative one near the wrap checks subtraction-only time. */
  private static final long ORIGIN_NANOS = Long.MAX_VALUE - 3_600_000_000_000L;

  @Test
  void samePhiAndAvailabilityAsPekko_overSeededRandomArrivalSequences() {
    long comparisons = 0;
    long suspectedChecks = 0;
    for (int seed = 0; seed < SEQUENCES; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      Counts counts = compareOneSequence(seed, random);
      comparisons += counts.comparisons;
      suspectedChecks += counts.suspected;
    }
    // The sweep must exercise both sides of the threshold, not only the easy "available" answer.
    assertThat(suspectedChecks).as("checks where the peer was suspected").isGreaterThan(10_000);
    assertThat(comparisons - suspectedChecks).as("checks where it was available")
        .isGreaterThan(10_000);
  }

  private record Counts(long comparisons, long suspected) {}

  private static Counts compareOneSequence(int seed, SplittableRandom random) {
    double threshold = 0.5 + random.nextDouble() * 15.5;
    int maxSampleSize = random.nextBoolean() ? 1 + random.nextInt(20) : 1 + random.nextInt(1000);
    long minStdMillis = 1 + random.nextInt(random.nextBoolean() ? 20 : 500);
    long pauseMillis = random.nextBoolean() ? 0 : random.nextInt(5000);
    long firstEstimateMillis = 4L * (1 + random.nextInt(1000));
    String settings = "seed=" + seed + " threshold=" + threshold + " maxSampleSize=" + maxSampleSize
        + " minStd=" + minStdMillis + "ms pause=" + pauseMillis + "ms first=" + firstEstimateMillis
        + "ms";

    PekkoPhiReference pekko = new PekkoPhiReference(
        threshold, maxSampleSize, minStdMillis, pauseMillis, firstEstimateMillis);
    ManualClock clock = new ManualClock(ORIGIN_NANOS);
    PhiAccrualFailureDetector ours = PhiAccrualFailureDetector.builder()
        .threshold(threshold)
        .maxSampleSize(maxSampleSize)
        .minStdDeviation(Duration.ofMillis(minStdMillis))
        .acceptableHeartbeatPause(Duration.ofMillis(pauseMillis))
        .firstHeartbeatEstimate(Duration.ofMillis(firstEstimateMillis))
        .learnFromRepeatedSuspicions(false) // Pekko's rule, exactly
        .clock(clock)
        .build();

    long comparisons = 0;
    long suspected = 0;
    long nowMillis = 1_000_000 + random.nextInt(1_000_000);
    long baseInterval = 20 + random.nextInt(2000);
    int heartbeats = 50 + random.nextInt(400);
    for (int i = 0; i < heartbeats; i++) {
      // Query before the heartbeat: at random points, and at the millisecond our detector says
      // suspicion starts and the one before it.
      if (i > 0) {
        long last = nowMillis;
        long suspectAtNanos = ours.suspectAtNanos();
        long suspectAtMillis = last + Math.floorDiv(suspectAtNanos - toNanos(last), NANOS_PER_MILLI);
        long[] probes = {
          last, last + 1 + random.nextInt((int) baseInterval), suspectAtMillis - 1, suspectAtMillis,
          suspectAtMillis + 1, last + random.nextInt(30_000)
        };
        for (long probe : probes) {
          if (probe < last) {
            continue;
          }
          boolean available = compareAt(pekko, ours, clock, probe, settings + " heartbeat=" + i);
          comparisons++;
          if (!available) {
            suspected++;
          }
        }
      }
      nowMillis += nextInterval(random, baseInterval);
      pekko.heartbeat(nowMillis);
      clock.set(toNanos(nowMillis));
      ours.heartbeat();
      assertEquals(pekko.isMonitoring(), ours.isMonitoring(), settings);
    }
    return new Counts(comparisons, suspected);
  }

  /** Steady jittered intervals, with bursts (0-2 ms), long gaps and changes of regime. */
  private static long nextInterval(SplittableRandom random, long baseInterval) {
    int kind = random.nextInt(100);
    if (kind < 8) {
      return random.nextInt(3); // burst, including two heartbeats in the same millisecond
    }
    if (kind < 14) {
      return baseInterval * (2 + random.nextInt(30)); // pause: lost heartbeats, GC, partition
    }
    long jitter = (long) (random.nextGaussian() * baseInterval * 0.1);
    return Math.max(0, baseInterval + jitter);
  }

  private static boolean compareAt(PekkoPhiReference pekko, PhiAccrualFailureDetector ours,
      ManualClock clock, long nowMillis, String context) {
    double expectedPhi = pekko.phi(nowMillis);
    boolean expectedAvailable = pekko.isAvailable(nowMillis);
    clock.set(toNanos(nowMillis));
    double actualPhi = ours.phi();
    boolean actualAvailable = ours.isAvailable();
    String where = context + " t=" + nowMillis + "ms";
    if (Double.isNaN(expectedPhi)) {
      fail("Pekko returned NaN at " + where);
    }
    if (Double.isInfinite(expectedPhi)) {
      assertEquals(expectedPhi, actualPhi, where);
    } else {
      assertEquals(expectedPhi, actualPhi, 1e-9 * Math.max(1.0, expectedPhi), where);
    }
    assertEquals(expectedAvailable, actualAvailable, where + " phi=" + expectedPhi);
    assertEquals(actualAvailable, ours.isAvailable(toNanos(nowMillis)), where);
    return expectedAvailable;
  }

  private static long toNanos(long millis) {
    return ORIGIN_NANOS + millis * NANOS_PER_MILLI;
  }
}
