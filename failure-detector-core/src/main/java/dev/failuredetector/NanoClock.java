package dev.failuredetector;

/**
 * A source of monotonic time in nanoseconds, injected into every detector so that tests can
 * drive time by hand.
 *
 * <p>Like {@link System#nanoTime()}, the origin is arbitrary and the value may be negative: only
 * the difference between two readings means anything. Compare readings by subtraction
 * ({@code later - earlier > 0}), never with {@code <} on the raw values, so that the comparison
 * stays right across the wrap of a {@code long}.
 *
 * <p>Implementations must be safe to call from any thread and should be cheap: detectors read the
 * clock on every heartbeat and query that does not pass an explicit time.
 */
@FunctionalInterface
public interface NanoClock {

  /** Returns the current reading in nanoseconds (arbitrary origin, monotonic). */
  long nanoTime();

  /** Returns the clock backed by {@link System#nanoTime()}. */
  static NanoClock system() {
    return SystemNanoClock.INSTANCE;
  }
}
