package dev.failuredetector.netty.health;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.NanoClock;
import java.time.Duration;

/**
 * A registry of deadline detectors (heartbeat every 100 ms, suspected 300 ms after the last one)
 * on a clock the test moves; the registry's tick runs only when {@link #advanceMillis} says so.
 */
final class ManualRegistry implements AutoCloseable {

  static final long MS = 1_000_000L;
  private static final long TICK_NANOS = 10 * MS;

  private long now = 1_000 * MS;
  private Runnable tick;
  final NanoClock clock = () -> now;
  final FailureDetectorRegistry<String> registry = FailureDetectorRegistry.builder()
      .detector(DetectorSpec.deadline().withInterval(Duration.ofMillis(100))
          .withPause(Duration.ofMillis(200)))
      .clock(clock)
      .tick(Duration.ofNanos(TICK_NANOS))
      .tickScheduler((task, period) -> {
        tick = task;
        return () -> { };
      })
      .listenerExecutor(Runnable::run)
      .confirmationTime(Duration.ofSeconds(2))
      .build();

  ManualRegistry(String... peers) {
    for (String peer : peers) {
      registry.register(peer);
    }
  }

  /** Peers a, b, c and d. */
  static ManualRegistry abcd() {
    return new ManualRegistry("a", "b", "c", "d");
  }

  /**
   * A second of heartbeats every 100 ms from a, b and c, and from d only for the first 600 ms:
   * a, b, c end AVAILABLE (100 ms since their last heartbeat), d SUSPECTED (500 ms).
   */
  void suspectOnlyD() {
    for (int i = 0; i < 10; i++) {
      heartbeat("a", "b", "c");
      if (i < 6) {
        heartbeat("d");
      }
      advanceMillis(100);
    }
  }

  void heartbeat(String... peers) {
    for (String peer : peers) {
      registry.heartbeat(peer);
    }
  }

  /** Moves the clock, running the registry's tick every 10 ms as its timer would. */
  void advanceMillis(long millis) {
    long end = now + millis * MS;
    while (end - now >= TICK_NANOS) {
      now += TICK_NANOS;
      tick.run();
    }
    now = end;
  }

  /** Moves the clock without ticking: the registry's timer is stuck. */
  void freeze(Duration duration) {
    now += duration.toNanos();
  }

  @Override
  public void close() {
    registry.close();
  }
}
