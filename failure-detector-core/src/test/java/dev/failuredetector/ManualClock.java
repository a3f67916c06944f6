package dev.failuredetector;

/** A {@link NanoClock} that tests move by hand. Not thread-safe beyond a volatile read. */
public final class ManualClock implements NanoClock {
  private volatile long nanos;

  public ManualClock(long startNanos) {
    this.nanos = startNanos;
  }

  @Override
  public long nanoTime() {
    return nanos;
  }

  public void set(long nanos) {
    this.nanos = nanos;
  }

  public void advanceMillis(long millis) {
    nanos += millis * 1_000_000L;
  }
}
