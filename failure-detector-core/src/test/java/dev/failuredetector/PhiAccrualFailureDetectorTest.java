package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PhiAccrualFailureDetectorTest {

  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000_000_000L;
  /** Near the wrap of a long, so that any comparison by {@code <} on raw times would break. */
  private static final long T0 = Long.MAX_VALUE - 10 * SECOND;

  private final ManualClock clock = new ManualClock(T0);

  /** Defaults but no pause: the seeded history (750 ms, 1250 ms) gives mean 1 s, std 250 ms. */
  private PhiAccrualFailureDetector.Builder noPause() {
    return PhiAccrualFailureDetector.builder().acceptableHeartbeatPause(Duration.ZERO).clock(clock);
  }

  @Test
  void beforeFirstHeartbeat_availableWithPhiZeroAndNoDeadline() {
    PhiAccrualFailureDetector detector = PhiAccrualFailureDetector.builder().clock(clock).build();
    assertThat(detector.isMonitoring()).isFalse();
    assertThat(detector.isAvailable()).isTrue();
    clock.advanceMillis(1_000_000);
    assertThat(detector.isAvailable()).isTrue();
    assertThat(detector.phi()).isZero();
    assertThat(detector.suspectAtNanos()).isEqualTo(FailureDetector.NO_DEADLINE);
    assertThat(detector.lastHeartbeatNanos()).isEqualTo(FailureDetector.NO_DEADLINE);
    // Defaults: mean 1 s + pause 3 s, std 250 ms, threshold 8 (value from an independent computation).
    assertThat(detector.timeoutNanos()).isEqualTo(5_306_496_662L);
  }

  @Test
  void afterFirstHeartbeat_phiFollowsTheSeededHistory() {
    PhiAccrualFailureDetector detector = noPause().build();
    detector.heartbeat();
    assertThat(detector.isMonitoring()).isTrue();
    assertThat(detector.lastHeartbeatNanos()).isEqualTo(T0);
    assertThat(detector.phi(T0)).isCloseTo(0.0, within(1e-3));
    assertThat(detector.phi(T0 + SECOND)).isCloseTo(0.3010299956639812, within(1e-15));
    assertThat(detector.phi(T0 + 1250 * MS)).isCloseTo(0.7995083208395598, within(1e-15));
  }

  @Test
  void timeout_isTheFirstNanosecondWherePhiReachesTheThreshold() {
    PhiAccrualFailureDetector detector = noPause().build();
    detector.heartbeat();
    assertThat(detector.timeoutNanos()).isEqualTo(2_306_496_662L);
    assertThat(detector.suspectAtNanos()).isEqualTo(T0 + 2_306_496_662L);
    assertThat(detector.isAvailable(T0 + 2_306_496_661L)).isTrue();
    assertThat(detector.isAvailable(T0 + 2_306_496_662L)).isFalse();
    assertThat(detector.phi(T0 + 2_306_496_661L)).isLessThan(8.0);
    assertThat(detector.phi(T0 + 2_306_496_662L)).isGreaterThanOrEqualTo(8.0);
  }

  @Test
  void knownTimeouts_perDistribution() {
    PhiAccrualFailureDetector normal = noPause().distribution(PhiDistribution.NORMAL).build();
    normal.heartbeat();
    assertThat(normal.timeoutNanos()).isEqualTo(2_403_000_312L);

    PhiAccrualFailureDetector exponential = noPause()
        .distribution(PhiDistribution.EXPONENTIAL).build();
    exponential.heartbeat();
    assertThat(exponential.timeoutNanos()).isEqualTo(18_420_680_744L); // 8 ln(10) * 1 s, rounded up
  }

  @Test
  void setThreshold_changesTheTimeoutAtOnceWithoutAHeartbeat() {
    PhiAccrualFailureDetector detector = noPause().build();
    detector.heartbeat();
    detector.setThreshold(3.0);
    assertThat(detector.threshold()).isEqualTo(3.0);
    assertThat(detector.timeoutNanos()).isEqualTo(1_764_734_455L);
    assertThat(detector.isAvailable(T0 + 1_764_734_455L)).isFalse();
    detector.setThreshold(8.0);
    assertThat(detector.timeoutNanos()).isEqualTo(2_306_496_662L);
  }

  @Test
  void setThreshold_invalid_isRejectedAndLeavesTheThreshold() {
    PhiAccrualFailureDetector detector = noPause().build();
    for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> detector.setThreshold(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("phi threshold must be a finite number > 0, got "
              + (bad == 0 ? "0" : bad == -1 ? "-1" : String.valueOf(bad)));
    }
    assertThat(detector.threshold()).isEqualTo(8.0);
  }

  @Test
  void steadyHeartbeats_meanAndDeviationAreLearned() {
    PhiAccrualFailureDetector detector = noPause().maxSampleSize(100).build();
    for (int i = 0; i < 200; i++) {
      detector.heartbeat();
      clock.advanceMillis(i % 2 == 0 ? 900 : 1100); // mean 1 s, std 100 ms (= the floor)
    }
    // history now holds only real intervals: phi at one mean is exactly the median, log10(2)
    long last = detector.lastHeartbeatNanos();
    assertThat(detector.phi(last + SECOND)).isCloseTo(0.3010299956639812, within(1e-12));
    assertThat(detector.timeoutNanos()).isEqualTo(1_522_598_665L); // 1 s + y*(8) * 100 ms
  }

  @Test
  void ewmaEstimator_learnsTheSameSteadyIntervals_andFollowsAChangeWithoutAWindow() {
    PhiAccrualFailureDetector detector = noPause().maxSampleSize(100)
        .estimator(IntervalEstimator.EWMA).build();
    PhiAccrualFailureDetector window = PhiAccrualFailureDetector.builder()
        .acceptableHeartbeatPause(Duration.ZERO).clock(clock).maxSampleSize(100).build();
    for (int i = 0; i < 200; i++) {
      detector.heartbeat();
      window.heartbeat();
      clock.advanceMillis(i % 2 == 0 ? 900 : 1100);
    }
    // alternating 900/1100 ms: both estimate mean 1 s, deviation about 100 ms (the floor)
    // (the EWMA wobbles by about alpha x 100 ms = 2 ms with the last sample)
    assertThat(detector.meanIntervalNanos()).isCloseTo(1e9, within(1e9 * 0.005));
    assertThat(detector.timeoutNanos()).isCloseTo(window.timeoutNanos(),
        within(window.timeoutNanos() / 100));
    // the sender slows to 2 s: after 150 heartbeats (1.5 spans) the EWMA is mostly there, the
    // window (100) already wholly
    for (int i = 0; i < 150; i++) {
      detector.heartbeat();
      clock.advanceMillis(i == 0 ? 1100 : 2000);
      // no suspicion: each 2 s interval is recorded once suspicions repeat (learn-suspicions)
    }
    assertThat(detector.meanIntervalNanos()).isBetween(1.9e9, 2.0e9);
    // and silence is suspected after more than the new interval, widened by the deviation the
    // change left in the estimate (it fades over the next spans)
    assertThat(detector.timeoutNanos()).isBetween(2 * SECOND, 8 * SECOND);
    long last = detector.lastHeartbeatNanos();
    assertThat(detector.isAvailable(last + 8 * SECOND)).isFalse();
  }

  @Test
  void intervalEndingASuspicion_isNotRecorded() {
    PhiAccrualFailureDetector detector = noPause().build();
    for (int i = 0; i < 20; i++) {
      detector.heartbeat();
      clock.advanceMillis(1000);
    }
    long timeoutBefore = detector.timeoutNanos();
    clock.advanceMillis(60_000);
    assertThat(detector.isAvailable()).isFalse();
    detector.heartbeat(); // ends the suspicion; its 61 s interval must not enter the statistics
    assertThat(detector.isAvailable()).isTrue();
    assertThat(detector.timeoutNanos()).isEqualTo(timeoutBefore);
  }

  @Test
  void aFewPausesADay_areNotRecorded_evenByTheLearningRule() {
    PhiAccrualFailureDetector detector = noPause().build();
    long timeoutBefore = 0;
    for (int pause = 0; pause < 5; pause++) {
      for (int i = 0; i < 3_000; i++) { // 50 minutes of steady heartbeats between pauses
        detector.heartbeat();
        clock.advanceMillis(i % 2 == 0 ? 900 : 1100);
      }
      timeoutBefore = detector.timeoutNanos();
      clock.advanceMillis(30_000);
      detector.heartbeat(); // ends a suspicion: one pause, left out as Pekko does
      assertThat(detector.timeoutNanos()).as("pause %d", pause).isEqualTo(timeoutBefore);
      clock.advanceMillis(1000);
    }
  }

  /**
   * The trap: a first estimate far below the real intervals (tune's median of a bursty trace). Every
   * real interval ends a suspicion; with Pekko's rule none is ever recorded and the detector
   * suspects the live sender at every heartbeat, forever. The learning rule records them once
   * suspicions repeat, and the mistakes stop.
   */
  @Test
  void firstEstimateFarTooLow_pekkosRuleNeverLearns_theDefaultLearnsWithinAFewHeartbeats() {
    for (boolean learn : new boolean[] {false, true}) {
      ManualClock time = new ManualClock(T0);
      PhiAccrualFailureDetector detector = PhiAccrualFailureDetector.builder()
          .firstHeartbeatEstimate(Duration.ofNanos(2_000)).minStdDeviation(Duration.ofNanos(200))
          .acceptableHeartbeatPause(Duration.ZERO).learnFromRepeatedSuspicions(learn)
          .clock(time).build();
      int mistakes = 0;
      int lastMistake = -1;
      for (int i = 0; i < 2_000; i++) {
        if (i > 0 && !detector.isAvailable()) {
          mistakes++;
          lastMistake = i;
        }
        detector.heartbeat();
        time.advanceMillis(1); // the sender: every 1 ms, steadily
      }
      if (learn) {
        assertThat(lastMistake).as("the last wrong suspicion, heartbeat #").isLessThan(20);
        assertThat(detector.timeoutNanos()).isBetween(1_000_000L, 3_000_000L);
      } else {
        assertThat(mistakes).as("Pekko's rule: a mistake at every heartbeat").isEqualTo(1_999);
        assertThat(detector.timeoutNanos()).isLessThan(10_000L);
      }
    }
  }

  /**
   * Bursty arrivals: 20 heartbeats 2 us apart, then a 20 ms gap (a sender every 1 ms behind a
   * queue that releases them in bursts). The gaps end suspicions; once they repeat they are
   * learned, and the detector stops suspecting at every gap.
   */
  @Test
  void burstyArrivals_gapsAreLearned_mistakesStop() {
    for (boolean learn : new boolean[] {false, true}) {
      ManualClock time = new ManualClock(T0);
      PhiAccrualFailureDetector detector = PhiAccrualFailureDetector.builder()
          .firstHeartbeatEstimate(Duration.ofNanos(2_000)).minStdDeviation(Duration.ofNanos(200))
          .acceptableHeartbeatPause(Duration.ZERO).threshold(8).learnFromRepeatedSuspicions(learn)
          .clock(time).build();
      int lateMistakes = 0;
      for (int burst = 0; burst < 200; burst++) {
        for (int i = 0; i < 20; i++) {
          if (burst >= 100 && detector.isMonitoring() && !detector.isAvailable()) {
            lateMistakes++;
          }
          detector.heartbeat();
          time.set(time.nanoTime() + (i < 19 ? 2_000 : 20 * MS - 19 * 2_000));
        }
      }
      assertThat(lateMistakes).as("mistakes in the last 100 bursts, learn=%s", learn)
          .isEqualTo(learn ? 0 : 100);
    }
  }

  @Test
  void staleHeartbeat_fromAClockThatWentBack_isIgnored() {
    PhiAccrualFailureDetector detector = noPause().build();
    detector.heartbeat(T0);
    detector.heartbeat(T0 + SECOND);
    long timeout = detector.timeoutNanos();
    detector.heartbeat(T0 + 500 * MS);
    assertThat(detector.lastHeartbeatNanos()).isEqualTo(T0 + SECOND);
    assertThat(detector.timeoutNanos()).isEqualTo(timeout);
    assertThat(detector.phi(T0)).isNotNaN().isGreaterThanOrEqualTo(0.0); // query in the past
    assertThat(detector.isAvailable(T0)).isTrue();
  }

  @Test
  void heartbeatsAtTheSameTime_keepPhiFinite() {
    PhiAccrualFailureDetector detector = noPause().maxSampleSize(10).build();
    for (int i = 0; i < 50; i++) {
      detector.heartbeat(T0); // intervals of 0: mean 0, deviation floored at 100 ms
    }
    assertThat(detector.phi(T0)).isNotNaN();
    assertThat(detector.phi(T0 + SECOND)).isNotNaN().isGreaterThan(8.0);
    assertThat(detector.timeoutNanos()).isPositive();

    PhiAccrualFailureDetector exponential = noPause().maxSampleSize(10)
        .distribution(PhiDistribution.EXPONENTIAL).build();
    for (int i = 0; i < 50; i++) {
      exponential.heartbeat(T0); // mean 0 is floored by minStdDeviation: no 0/0
    }
    assertThat(exponential.phi(T0 + SECOND)).isNotNaN().isPositive();
  }

  @ParameterizedTest
  @EnumSource(PhiDistribution.class)
  void seededSweep_availabilityAndPhiAgreeWithTheTimeout_neverNaN(PhiDistribution distribution) {
    for (int seed = 0; seed < 300; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      PhiAccrualFailureDetector detector = PhiAccrualFailureDetector.builder()
          .distribution(distribution)
          .threshold(0.05 + random.nextDouble() * 20)
          .maxSampleSize(1 + random.nextInt(200))
          .minStdDeviation(Duration.ofNanos(1 + random.nextLong(200 * MS)))
          .acceptableHeartbeatPause(Duration.ofNanos(random.nextLong(5 * SECOND)))
          .firstHeartbeatEstimate(Duration.ofNanos(1 + random.nextLong(3 * SECOND)))
          .clock(clock)
          .build();
      long now = random.nextLong();
      for (int i = 0; i < 200; i++) {
        now += random.nextInt(10) == 0 ? random.nextLong(-SECOND, 20 * SECOND) : random.nextLong(SECOND);
        detector.heartbeat(now);
        long suspectAt = detector.suspectAtNanos();
        String context = distribution + " seed=" + seed + " i=" + i;
        assertThat(suspectAt - detector.lastHeartbeatNanos()).as(context)
            .isEqualTo(detector.timeoutNanos()).isNotNegative();
        if (detector.timeoutNanos() > 0) {
          assertThat(detector.isAvailable(suspectAt - 1)).as(context).isTrue();
          assertThat(detector.phi(suspectAt - 1)).as(context).isLessThan(detector.threshold());
        }
        assertThat(detector.isAvailable(suspectAt)).as(context).isFalse();
        assertThat(detector.phi(suspectAt)).as(context)
            .isNotNaN().isGreaterThanOrEqualTo(detector.threshold());
        assertThat(detector.phi(now + random.nextLong())).as(context).isNotNaN().isNotNegative();
      }
    }
  }

  /** The closed-form fast path must give exactly what the search over phi gives. */
  @ParameterizedTest
  @EnumSource(PhiDistribution.class)
  void timeoutFastPath_equalsTheExactSearch(PhiDistribution distribution) {
    SplittableRandom random = new SplittableRandom(7);
    double[] thresholds = {0.01, 0.3, 1, 2.5, 8, 12, 16, 40, 200};
    for (double value : thresholds) {
      PhiAccrualFailureDetector.Threshold threshold =
          new PhiAccrualFailureDetector.Threshold(value, distribution);
      for (int i = 0; i < 100_000; i++) {
        double scale = Math.pow(10, random.nextDouble(3, 12.6)); // 1 us to about 73 minutes
        double mean = random.nextDouble() * scale;
        double std = distribution == PhiDistribution.EXPONENTIAL
            ? mean : Math.max(1, random.nextDouble() * scale);
        double estimate = distribution.elapsedAt(threshold.standardized, mean, std);
        assertThat(PhiAccrualFailureDetector.crossingNanos(distribution, mean, std, threshold))
            .as("threshold=%s mean=%s std=%s", value, mean, std)
            .isEqualTo(PhiAccrualFailureDetector.searchCrossingNanos(
                distribution, mean, std, value, estimate));
      }
    }
  }

  @Test
  void builder_rejectsEachBadSettingNamingIt() {
    expectRejected(b -> b.threshold(0), "phi threshold must be a finite number > 0, got 0");
    expectRejected(b -> b.threshold(-2), "phi threshold must be a finite number > 0, got -2");
    expectRejected(b -> b.threshold(Double.NaN), "phi threshold must be a finite number > 0, got NaN");
    expectRejected(b -> b.threshold(Double.POSITIVE_INFINITY),
        "phi threshold must be a finite number > 0, got Infinity");
    expectRejected(b -> b.maxSampleSize(0), "phi window must be between 1 and 1048576, got 0");
    expectRejected(b -> b.maxSampleSize(-5), "phi window must be between 1 and 1048576, got -5");
    expectRejected(b -> b.minStdDeviation(Duration.ZERO),
        "phi min-std must be > 0 and <= 1d, got 0s");
    expectRejected(b -> b.minStdDeviation(Duration.ofMillis(-1)),
        "phi min-std must be > 0 and <= 1d, got -1ms");
    expectRejected(b -> b.acceptableHeartbeatPause(Duration.ofSeconds(-3)),
        "phi pause must be >= 0 and <= 1d, got -3s");
    expectRejected(b -> b.acceptableHeartbeatPause(Duration.ofDays(2)),
        "phi pause must be >= 0 and <= 1d, got 48h");
    expectRejected(b -> b.firstHeartbeatEstimate(Duration.ZERO),
        "phi interval must be > 0 and <= 1d, got 0s");
    assertThatThrownBy(() -> PhiAccrualFailureDetector.builder().clock(null))
        .isInstanceOf(NullPointerException.class).hasMessage("clock must not be null");
    assertThatThrownBy(() -> PhiAccrualFailureDetector.builder().distribution(null))
        .isInstanceOf(NullPointerException.class).hasMessage("distribution must not be null");
    assertThatThrownBy(() -> PhiAccrualFailureDetector.builder().minStdDeviation(null))
        .isInstanceOf(NullPointerException.class).hasMessage("phi min-std must not be null");
  }

  @Test
  void builder_isAReusableSpecification() {
    PhiAccrualFailureDetector.Builder spec = noPause().threshold(5);
    PhiAccrualFailureDetector first = spec.build();
    PhiAccrualFailureDetector second = spec.build();
    first.heartbeat();
    assertThat(second.isMonitoring()).isFalse();
    assertThat(second.threshold()).isEqualTo(5.0);
    assertThat(second.acceptableHeartbeatPause()).isEqualTo(Duration.ZERO);
    assertThat(second.minStdDeviation()).isEqualTo(Duration.ofMillis(100));
    assertThat(second.firstHeartbeatEstimate()).isEqualTo(Duration.ofSeconds(1));
    assertThat(second.maxSampleSize()).isEqualTo(1000);
  }

  private static void expectRejected(Consumer<PhiAccrualFailureDetector.Builder> setting,
      String message) {
    assertThatThrownBy(() -> setting.accept(PhiAccrualFailureDetector.builder()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }
}
