package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The windowless estimator's rule, through the phi detector that keeps its numbers: its interval
 * mean and deviation beside the exact window's, or beside the formula.
 */
class EwmaIntervalsTest {

  private static final long SECOND = 1_000_000_000L;
  /** The seeds every phi detector starts from: the interval estimate (1 s) -/+ a quarter. */
  private static final long[] SEEDS = {750_000_000L, 1_250_000_000L};

  private final ManualClock clock = new ManualClock(0);

  private PhiAccrualFailureDetector detector(IntervalEstimator estimator, int span) {
    return PhiAccrualFailureDetector.builder().clock(clock).maxSampleSize(span)
        .estimator(estimator).acceptableHeartbeatPause(Duration.ofSeconds(3)).build();
  }

  @Test
  void whileOneOverKIsTheLargerWeight_itIsTheExactMeanAndVarianceOfAllSamples() {
    int span = 1000;
    PhiAccrualFailureDetector ewma = detector(IntervalEstimator.EWMA, span);
    PhiAccrualFailureDetector exact = detector(IntervalEstimator.WINDOW, span);
    SplittableRandom random = new SplittableRandom(7);
    ewma.heartbeat();
    exact.heartbeat();
    for (int k = SEEDS.length + 1; k <= (span + 1) / 2; k++) {
      clock.advanceNanos(900_000_000L + random.nextLong(200_000_000L));
      ewma.heartbeat();
      exact.heartbeat();
      double mean = exact.meanIntervalNanos();
      assertThat(ewma.meanIntervalNanos()).isCloseTo(mean, within(mean * 1e-12));
      assertThat(ewma.intervalStdDeviationNanos())
          .isCloseTo(exact.intervalStdDeviationNanos(), within(1e-6 * mean + 1e-3));
    }
  }

  @Test
  void afterThat_eachSampleWeighsTwoOverSpanPlusOne() {
    int span = 9; // alpha = 0.2; 1/k < 0.2 from k = 6
    PhiAccrualFailureDetector ewma = detector(IntervalEstimator.EWMA, span);
    long[] samples = {1000, 1200, 900, 1100, 1000, 3000, 800, 1400, 1000, 1000, 2500, 1000};
    double mean = 0;
    double variance = 0;
    int k = 0;
    for (long seed : SEEDS) {
      k++;
      double a = Math.max(0.2, 1.0 / k);
      double d = seed - mean;
      mean += a * d;
      variance = (1 - a) * (variance + a * d * d);
    }
    ewma.heartbeat();
    for (long millis : samples) {
      k++;
      double a = Math.max(0.2, 1.0 / k);
      double d = millis * 1_000_000.0 - mean;
      mean += a * d;
      variance = (1 - a) * (variance + a * d * d);
      clock.advanceMillis(millis);
      ewma.heartbeat();
      assertThat(ewma.meanIntervalNanos()).isCloseTo(mean, within(1e-6));
      assertThat(ewma.intervalStdDeviationNanos()).isCloseTo(Math.sqrt(variance), within(1e-6));
    }
  }

  @Test
  void aChangeOfTheInterval_fadesInOverAboutTheSpan_whereTheWindowWaitsForAllOfIt() {
    int span = 100;
    PhiAccrualFailureDetector ewma = detector(IntervalEstimator.EWMA, span);
    PhiAccrualFailureDetector window = detector(IntervalEstimator.WINDOW, span);
    for (int i = 0; i <= 1000; i++) {
      ewma.heartbeat();
      window.heartbeat();
      clock.advanceNanos(SECOND);
    }
    clock.advanceNanos(SECOND); // each interval below is 2 s
    for (int i = 0; i < span / 2; i++) {
      ewma.heartbeat();
      window.heartbeat();
      clock.advanceNanos(2 * SECOND);
    }
    // after half a span the window is exactly halfway; the EWMA weighs recent samples more
    assertThat(window.meanIntervalNanos()).isEqualTo(1.5e9);
    assertThat(ewma.meanIntervalNanos()).isGreaterThan(1.6e9).isLessThan(1.7e9);
    for (int i = 0; i < 3 * span; i++) {
      ewma.heartbeat();
      clock.advanceNanos(2 * SECOND);
    }
    assertThat(ewma.meanIntervalNanos()).isCloseTo(2e9, within(2e9 * 0.01));
    assertThat(ewma.intervalStdDeviationNanos()).isLessThan(0.05e9);
  }

  @Test
  void theVariance_neverGoesNegative_andHugeSamplesAreClamped() {
    PhiAccrualFailureDetector ewma = detector(IntervalEstimator.EWMA, 3);
    for (int i = 0; i < 10_000; i++) {
      ewma.heartbeat();
      clock.advanceNanos(1_000_000_007L);
    }
    assertThat(ewma.intervalStdDeviationNanos()).isGreaterThanOrEqualTo(0).isLessThan(1e-3);
    assertThat(EwmaIntervals.clamp(Long.MAX_VALUE)).isEqualTo(HeartbeatHistory.MAX_SAMPLE_NANOS);
    assertThat(EwmaIntervals.clamp(Long.MIN_VALUE)).isEqualTo(-HeartbeatHistory.MAX_SAMPLE_NANOS);
    assertThat(EwmaIntervals.nextVariance(0, 1.0, 1e9)).isZero(); // the first sample: no spread
  }

  @Test
  void aSpanOutOfRange_isRefused() {
    assertThatThrownBy(() -> EwmaIntervals.alpha(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("window");
    assertThatThrownBy(() -> DetectorSpec.parse("phi:estimator=ewma,window=0"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window");
  }
}
