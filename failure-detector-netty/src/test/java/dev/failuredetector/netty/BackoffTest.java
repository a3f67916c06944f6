package dev.failuredetector.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private static final long MS = 1_000_000L;

  @Test
  void doublesFromMinToMax_withEqualJitter() {
    Backoff backoff = new Backoff(100 * MS, 5_000 * MS, new SplittableRandom(7));
    long[] ceilings = {100, 200, 400, 800, 1600, 3200, 5000, 5000};
    for (int failures = 1; failures <= ceilings.length; failures++) {
      long ceiling = ceilings[failures - 1] * MS;
      long min = Long.MAX_VALUE;
      long max = 0;
      for (int i = 0; i < 2_000; i++) {
        long delay = backoff.delayNanos(failures);
        assertThat(delay).isBetween(ceiling / 2, ceiling);
        min = Math.min(min, delay);
        max = Math.max(max, delay);
      }
      // Jittered, really: 2,000 draws spread over most of [ceiling/2, ceiling].
      assertThat(max - min).as("spread after %d failures", failures).isGreaterThan(ceiling / 3);
    }
    assertThat(backoff.delayNanos(Integer.MAX_VALUE)).isBetween(2_500 * MS, 5_000 * MS);
    assertThat(backoff.delayNanos(0)).isBetween(50 * MS, 100 * MS);
  }

  @Test
  void hugeMax_doesNotOverflow() {
    Backoff backoff = new Backoff(1, Long.MAX_VALUE, new SplittableRandom(1));
    assertThat(backoff.delayNanos(200)).isPositive();
  }

  @Test
  void rejectsBadBounds() {
    assertThatThrownBy(() -> new Backoff(0, 1, new SplittableRandom()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("reconnect backoff needs 0 < min <= max, got min 0 ns, max 1 ns");
    assertThatThrownBy(() -> new Backoff(2, 1, new SplittableRandom()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
