package dev.failuredetector.netty;

import java.util.SplittableRandom;

/**
 * Jittered exponential backoff: the n-th consecutive failure waits a random time in [d/2, d] with
 * d = min(max, min * 2^(n-1)) ("equal jitter"), so that nodes that lost a peer together do not
 * reconnect together. Immutable apart from its random source; not thread-safe (one event loop).
 */
final class Backoff {

  private final long minNanos;
  private final long maxNanos;
  private final SplittableRandom random;

  /**
   * @throws IllegalArgumentException if min is not positive or max is below min
   */
  Backoff(long minNanos, long maxNanos, SplittableRandom random) {
    if (minNanos <= 0 || maxNanos < minNanos) {
      throw new IllegalArgumentException("reconnect backoff needs 0 < min <= max, got min "
          + minNanos + " ns, max " + maxNanos + " ns");
    }
    this.minNanos = minNanos;
    this.maxNanos = maxNanos;
    this.random = random;
  }

  /** The wait before the next attempt after {@code failures} (at least 1) consecutive failures. */
  long delayNanos(int failures) {
    long bound = minNanos;
    for (int i = 1; i < failures && bound < maxNanos; i++) {
      bound = bound > maxNanos / 2 ? maxNanos : bound * 2;
    }
    return bound / 2 + random.nextLong(bound / 2 + 1);
  }
}
