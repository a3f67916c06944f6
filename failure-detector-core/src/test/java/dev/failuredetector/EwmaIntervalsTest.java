package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EwmaIntervalsTest {

  @Test
  void whileOneOverKIsTheLargerWeight_itIsTheExactMeanAndVarianceOfAllSamples() {
    int span = 1000;
    EwmaIntervals ewma = new EwmaIntervals(span);
    HeartbeatHistory exact = new HeartbeatHistory(span);
    SplittableRandom random = new SplittableRandom(7);
    for (int k = 1; k <= (span + 1) / 2; k++) {
      long sample = 900_000_000L + random.nextLong(200_000_000L);
      ewma.add(sample);
      exact.add(sample);
      assertThat(ewma.mean()).isCloseTo(exact.mean(), within(exact.mean() * 1e-12));
      assertThat(ewma.stdDeviation())
          .isCloseTo(exact.stdDeviation(), within(1e-6 * exact.mean() + 1e-3));
    }
  }

  @Test
  void afterThat_eachSampleWeighsTwoOverSpanPlusOne() {
    int span = 9; // alpha = 0.2; 1/k < 0.2 from k = 6
    EwmaIntervals ewma = new EwmaIntervals(span);
    double mean = 0;
    double variance = 0;
    long[] samples = {10, 12, 9, 11, 10, 30, 8, 14, 10, 10, 50, 10};
    for (int k = 1; k <= samples.length; k++) {
      double a = Math.max(0.2, 1.0 / k);
      double d = samples[k - 1] - mean;
      mean += a * d;
      variance = (1 - a) * (variance + a * d * d);
      ewma.add(samples[k - 1]);
      assertThat(ewma.mean()).isCloseTo(mean, within(1e-12));
      assertThat(ewma.stdDeviation()).isCloseTo(Math.sqrt(variance), within(1e-12));
    }
  }

  @Test
  void aChangeOfTheInterval_fadesInOverAboutTheSpan_whereTheWindowWaitsForAllOfIt() {
    int span = 100;
    EwmaIntervals ewma = new EwmaIntervals(span);
    HeartbeatHistory window = new HeartbeatHistory(span);
    for (int i = 0; i < 1000; i++) {
      ewma.add(1_000_000_000L);
      window.add(1_000_000_000L);
    }
    for (int i = 0; i < span / 2; i++) {
      ewma.add(2_000_000_000L);
      window.add(2_000_000_000L);
    }
    // after half a span the window is exactly halfway; the EWMA weighs recent samples more
    assertThat(window.mean()).isEqualTo(1.5e9);
    assertThat(ewma.mean()).isGreaterThan(1.6e9).isLessThan(1.7e9);
    for (int i = 0; i < 3 * span; i++) {
      ewma.add(2_000_000_000L);
    }
    assertThat(ewma.mean()).isCloseTo(2e9, within(2e9 * 0.01));
    assertThat(ewma.stdDeviation()).isLessThan(0.05e9);
  }

  @Test
  void theVariance_neverGoesNegative_andHugeSamplesAreClamped() {
    EwmaIntervals ewma = new EwmaIntervals(3);
    for (int i = 0; i < 10_000; i++) {
      ewma.add(1_000_000_007L);
    }
    assertThat(ewma.stdDeviation()).isGreaterThanOrEqualTo(0).isLessThan(1e-3);
    ewma.add(Long.MAX_VALUE);
    assertThat(ewma.mean()).isLessThan(HeartbeatHistory.MAX_SAMPLE_NANOS);
    ewma.clear();
    assertThat(ewma.mean()).isZero();
    assertThat(ewma.stdDeviation()).isZero();
  }

  @Test
  void aSpanOutOfRange_isRefused() {
    assertThatThrownBy(() -> new EwmaIntervals(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("window");
    assertThatThrownBy(() -> DetectorSpec.parse("phi:estimator=ewma,window=0"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window");
  }
}
