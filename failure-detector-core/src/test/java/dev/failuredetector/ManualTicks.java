package dev.failuredetector;

/** A {@link TickScheduler} that tests drive: {@link #advance} moves the clock tick by tick. */
public final class ManualTicks implements TickScheduler {
  private final ManualClock clock;
  private Runnable tick;
  private long periodNanos;
  volatile boolean stopped;

  public ManualTicks(ManualClock clock) {
    this.clock = clock;
  }

  @Override
  public Ticking start(Runnable tick, long periodNanos) {
    this.tick = tick;
    this.periodNanos = periodNanos;
    return () -> stopped = true;
  }

  /** Advances the clock by {@code millis}, running the tick after each period, as a timer would. */
  public void advanceMillis(long millis) {
    long end = clock.nanoTime() + millis * 1_000_000L;
    while (end - clock.nanoTime() >= periodNanos) {
      clock.set(clock.nanoTime() + periodNanos);
      tick.run();
    }
    clock.set(end);
  }

  /** Advances the clock to {@code nanos}, running the tick after each period on the way. */
  public void advanceToNanos(long nanos) {
    while (nanos - clock.nanoTime() >= periodNanos) {
      clock.set(clock.nanoTime() + periodNanos);
      tick.run();
    }
    clock.set(nanos);
  }

  /** Moves the clock without ticking: the timer thread was frozen. */
  void freezeMillis(long millis) {
    clock.advanceMillis(millis);
  }

  void tickNow() {
    tick.run();
  }
}
