package dev.failuredetector.netty.health;

import dev.failuredetector.DeadlineFailureDetector;
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
      .detector(DeadlineFailureDetector.builder().heartbeatInterval(Duration.ofMillis(100))
          .acceptableHeartbeatPause(Duration.ofMillis(200))::build)
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

  @Override
  public void close() {
    registry.close();
  }
}
