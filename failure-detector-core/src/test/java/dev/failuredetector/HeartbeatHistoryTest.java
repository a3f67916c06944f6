package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HeartbeatHistoryTest {

  @Test
  void empty_hasZeroStatistics() {
    HeartbeatHistory history = new HeartbeatHistory(10);
    assertThat(history.size()).isZero();
    assertThat(history.mean()).isZero();
    assertThat(history.variance()).isZero();
    assertThat(history.stdDeviation()).isZero();
    assertThat(history.newest()).isZero();
  }

  @Test
  void knownValues_meanVarianceAndStdDeviation() {
    HeartbeatHistory history = new HeartbeatHistory(10);
    for (long sample : new long[] {2, 4, 4, 4, 5, 5, 7, 9}) {
      history.add(sample);
    }
    assertThat(history.size()).isEqualTo(8);
    assertThat(history.sum()).isEqualTo(40);
    assertThat(history.mean()).isEqualTo(5.0);
    assertThat(history.variance()).isEqualTo(4.0);
    assertThat(history.stdDeviation()).isEqualTo(2.0);
    assertThat(history.newest()).isEqualTo(9);
  }

  @Test
  void full_evictsOldestFirst() {
    HeartbeatHistory history = new HeartbeatHistory(3);
    for (long sample : new long[] {100, 1, 2, 3}) {
      history.add(sample);
    }
    assertThat(history.size()).isEqualTo(3);
    assertThat(history.sum()).isEqualTo(6);
    assertThat(history.mean()).isEqualTo(2.0);
    assertThat(history.variance()).isCloseTo(2.0 / 3.0, within(1e-15));
  }

  @Test
  void intervalsOfTenSeconds_doNotOverflowTheSumOfSquares() {
    // 10 s = 1e10 ns; its square 1e20 overflows a long (Pekko's HeartbeatHistory would throw).
    HeartbeatHistory history = new HeartbeatHistory(1000);
    for (int i = 0; i < 1000; i++) {
      history.add(10_000_000_000L + (i % 2 == 0 ? 1 : -1));
    }
    assertThat(history.mean()).isEqualTo(1e10);
    assertThat(history.variance()).isEqualTo(1.0);
  }

  @Test
  void nearlyEqualLargeIntervals_varianceHasNoCatastrophicCancellation() {
    // E[x^2] - E[x]^2 in doubles gives garbage here (E[x^2] ~ 1e24, variance 0.25).
    HeartbeatHistory history = new HeartbeatHistory(4);
    for (long sample : new long[] {1_000_000_000_000L, 1_000_000_000_001L,
        1_000_000_000_000L, 1_000_000_000_001L}) {
      history.add(sample);
    }
    assertThat(history.variance()).isEqualTo(0.25);
  }

  @Test
  void negativeSamples_areSupported() {
    HeartbeatHistory history = new HeartbeatHistory(4);
    history.add(-3);
    history.add(3);
    assertThat(history.mean()).isZero();
    assertThat(history.variance()).isEqualTo(9.0);
  }

  @Test
  void samplesBeyondTheLimit_areClamped() {
    HeartbeatHistory history = new HeartbeatHistory(2);
    history.add(Long.MAX_VALUE);
    history.add(Long.MIN_VALUE);
    assertThat(history.sum()).isZero();
    assertThat(history.newest()).isEqualTo(-HeartbeatHistory.MAX_SAMPLE_NANOS);
    assertThat(history.variance())
        .isEqualTo((double) HeartbeatHistory.MAX_SAMPLE_NANOS * HeartbeatHistory.MAX_SAMPLE_NANOS);
  }

  @Test
  void clear_forgetsEverything() {
    HeartbeatHistory history = new HeartbeatHistory(3);
    history.add(5);
    history.add(7);
    history.clear();
    history.add(1);
    assertThat(history.size()).isEqualTo(1);
    assertThat(history.mean()).isEqualTo(1.0);
    assertThat(history.variance()).isZero();
  }

  @Test
  void shiftAll_movesEverySample() {
    HeartbeatHistory history = new HeartbeatHistory(3);
    for (long sample : new long[] {9, 1, 2, 3}) {
      history.add(sample);
    }
    history.shiftAll(-10);
    assertThat(history.sum()).isEqualTo(-24);
    assertThat(history.newest()).isEqualTo(-7);
    assertThat(history.variance()).isCloseTo(2.0 / 3.0, within(1e-15));
    history.add(0); // evicts -9, the oldest after the shift
    assertThat(history.sum()).isEqualTo(-15);
  }

  @Test
  void capacity_outOfRange_isRejectedNamingTheValue() {
    assertThatThrownBy(() -> new HeartbeatHistory(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("capacity").hasMessageContaining("got 0");
    assertThatThrownBy(() -> new HeartbeatHistory(HeartbeatHistory.MAX_CAPACITY + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(String.valueOf(HeartbeatHistory.MAX_CAPACITY + 1));
  }

  @Test
  void seededSweep_statisticsEqualFreshRecomputation() {
    for (int seed = 0; seed < 200; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      int capacity = 1 + random.nextInt(random.nextBoolean() ? 8 : 2000);
      HeartbeatHistory history = new HeartbeatHistory(capacity);
      Window window = new Window(capacity);
      int count = random.nextInt(5000);
      for (int i = 0; i < count; i++) {
        long sample = switch (random.nextInt(4)) {
          case 0 -> random.nextLong(HeartbeatHistory.MAX_SAMPLE_NANOS);
          case 1 -> 1_000_000_000L + random.nextLong(-1_000_000, 1_000_000);
          case 2 -> random.nextLong(-HeartbeatHistory.MAX_SAMPLE_NANOS, 0);
          default -> random.nextInt(3);
        };
        history.add(sample);
        window.add(sample);
      }
      window.assertMatches(history, "seed=" + seed);
    }
  }

  /**
   * 10^9 heartbeats of nanosecond intervals (around 1 s, with excursions to 73 minutes whose squares
   * overflow a long), checked at every 10^8 against an exact BigInteger recomputation over the
   * window: the running sums never drift.
   */
  @Test
  void billionHeartbeats_statisticsStayExact() {
    int capacity = 1000;
    HeartbeatHistory history = new HeartbeatHistory(capacity);
    Window window = new Window(capacity);
    long state = 0x9E3779B97F4A7C15L; // xorshift64: SplittableRandom is too slow for 10^9 draws
    for (long i = 1; i <= 1_000_000_000L; i++) {
      state ^= state << 13;
      state ^= state >>> 7;
      state ^= state << 17;
      long sample = (state & 1023) == 0
          ? (state >>> 22) // up to 2^42
          : 1_000_000_000L + ((state >>> 40) & 0xFFFFF) - 0x80000; // 1 s +- 0.5 ms
      history.add(sample);
      window.add(sample);
      if (i % 100_000_000L == 0) {
        window.assertMatches(history, "after " + i + " heartbeats");
      }
    }
  }

  /** The last {@code capacity} samples, recomputed exactly on demand. */
  private static final class Window {
    private final long[] samples;
    private long count;

    Window(int capacity) {
      samples = new long[capacity];
    }

    void add(long sample) {
      samples[(int) (count++ % samples.length)] = sample;
    }

    void assertMatches(HeartbeatHistory history, String context) {
      int n = (int) Math.min(count, samples.length);
      BigInteger sum = BigInteger.ZERO;
      BigInteger sumOfSquares = BigInteger.ZERO;
      for (int i = 0; i < n; i++) {
        BigInteger x = BigInteger.valueOf(samples[i]);
        sum = sum.add(x);
        sumOfSquares = sumOfSquares.add(x.multiply(x));
      }
      assertThat(history.size()).as(context).isEqualTo(n);
      assertThat(BigInteger.valueOf(history.sum())).as(context).isEqualTo(sum);
      if (n == 0) {
        return;
      }
      BigInteger bigN = BigInteger.valueOf(n);
      double expectedMean = new BigDecimal(sum).divide(new BigDecimal(bigN), MathContext.DECIMAL64)
          .doubleValue();
      double expectedVariance = new BigDecimal(
          bigN.multiply(sumOfSquares).subtract(sum.multiply(sum)))
          .divide(new BigDecimal(bigN.multiply(bigN)), MathContext.DECIMAL128).doubleValue();
      assertThat(history.mean()).as(context)
          .isCloseTo(expectedMean, within(Math.abs(expectedMean) * 1e-15));
      assertThat(history.variance()).as(context)
          .isCloseTo(expectedVariance, within(expectedVariance * 1e-15));
    }
  }
}
