package dev.failuredetector.benchmarks;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.TickScheduler;
import java.time.Duration;

/**
 * {@link RegistryTickBenchmark}'s steady load timed by a plain loop instead of JMH: 100,000 peers
 * with String keys, phi with a window of 100 and a 3 s pause, a simulated clock moving 10 ms a
 * tick, 1,000 heartbeats by key between two ticks (each peer once a second), and only the tick
 * timed. A cross-check of the JMH figure, whose per-invocation set-up differs from a timer
 * thread's life; the two disagreed on 2026-12-06 (BENCHMARKS.md).
 *
 * <p>Run: {@code java -Xmx4g -cp benchmarks/target/benchmarks.jar
 * dev.failuredetector.benchmarks.RegistryTickLoop}: five rounds of 2,000 ticks after 3,000 of
 * warm-up, one line each, microseconds per tick.
 */
public final class RegistryTickLoop {

  private static final int PEERS = 100_000;
  private static final long TICK_NANOS = 10_000_000L;

  private static long now;

  private RegistryTickLoop() {}

  public static void main(String[] args) {
    Runnable[] tick = new Runnable[1];
    TickScheduler capture = (runnable, period) -> {
      tick[0] = runnable;
      return () -> { };
    };
    FailureDetectorRegistry<String> registry = FailureDetectorRegistry.builder()
        .maxPeers(PEERS)
        .detector(DetectorSpec.phi().withWindow(100).withPause(Duration.ofSeconds(3)))
        .clock(() -> now)
        .tickScheduler(capture)
        .build();
    String[] keys = new String[PEERS];
    for (int i = 0; i < PEERS; i++) {
      keys[i] = "peer-" + i;
      registry.register(keys[i]);
    }
    int next = 0;
    for (int round = -1; round < 5; round++) {
      int ticks = round < 0 ? 3_000 : 2_000;
      long spent = 0;
      for (int t = 0; t < ticks; t++) {
        now += TICK_NANOS;
        for (int i = 0; i < PEERS / 100; i++) {
          registry.heartbeat(keys[next]);
          next = next + 1 == PEERS ? 0 : next + 1;
        }
        long start = System.nanoTime();
        tick[0].run();
        spent += System.nanoTime() - start;
      }
      if (round >= 0) {
        System.out.printf("round %d: %.1f us per tick%n", round + 1, spent / (double) ticks / 1e3);
      }
    }
    if (registry.stats().mistakes() != 0) {
      throw new IllegalStateException("the peers must stay available: " + registry);
    }
    registry.close();
  }
}
