package dev.failuredetector.benchmarks;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.NanoClock;
import dev.failuredetector.PeerState;
import dev.failuredetector.TickScheduler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One timer tick of a registry with 100,000 peers, none of them failing, on a simulated clock
 * that moves 10 ms per tick.
 * <ul>
 *   <li>{@code steady}: every peer heartbeats once a second (1,000 heartbeats between two ticks,
 *       not measured); their timer entries come due every few seconds and are re-filed at the
 *       detector's current deadline: the tick's real steady-state work.
 *   <li>{@code idle}: deadlines an hour away and no heartbeats: nothing is due at all.
 * </ul>
 *
 * <p>Run: {@code benchmarks/run.sh RegistryTickBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
public class RegistryTickBenchmark {

  private static final int PEERS = 100_000;
  private static final long TICK_NANOS = 10_000_000L;
  private static final int HEARTBEATS_PER_TICK = PEERS / 100; // each peer once per second

  @Param({"steady", "idle"})
  public String load;

  private final SimulatedClock clock = new SimulatedClock();
  private Runnable tick;
  private FailureDetectorRegistry<String> registry;
  /**
   * Keys as an application's: hash codes that do not follow the order peers heartbeat in. With
   * Integer keys 0..n-1 the registry's ConcurrentHashMap (before issue 23) flattered this
   * benchmark: 18-20 us a tick at 516a895, against 38-53 us with these keys (BENCHMARKS.md).
   */
  private final String[] keys = new String[PEERS];
  private int nextPeer;

  /** The registry's clock; only this benchmark's thread moves it. */
  static final class SimulatedClock implements NanoClock {
    long now;

    @Override
    public long nanoTime() {
      return now;
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    Duration pause = load.equals("idle") ? Duration.ofHours(1) : Duration.ofSeconds(3);
    TickScheduler capture = (runnable, period) -> {
      tick = runnable;
      return () -> { };
    };
    registry = FailureDetectorRegistry.builder()
        .maxPeers(PEERS)
        .detector(DetectorSpec.phi().withWindow(100)
            .withPause(pause))
        .clock(clock)
        .tickScheduler(capture)
        .build();
    for (int i = 0; i < PEERS; i++) {
      keys[i] = "peer-" + i;
      registry.register(keys[i]);
    }
    // Spread the peers' heartbeats over one second, as independent senders would be.
    for (int t = 0; t < 100; t++) {
      advance();
    }
  }

  /** Moves the clock one tick and ticks, for the set-up. */
  private void advance() {
    beforeTick();
    tick.run();
  }

  /** Moves the clock one tick, with the heartbeats that arrive meanwhile (steady load only). */
  @Setup(Level.Invocation)
  public void beforeTick() {
    clock.now += TICK_NANOS;
    if (load.equals("steady")) {
      for (int i = 0; i < HEARTBEATS_PER_TICK; i++) {
        registry.heartbeat(keys[nextPeer]);
        nextPeer = nextPeer + 1 == PEERS ? 0 : nextPeer + 1;
      }
    }
  }

  @Benchmark
  public long tick() {
    tick.run();
    return clock.now; // the tick alone: stats() is measured on its own (RegistryStatsBenchmark)
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (registry.stats().mistakes() != 0 || registry.stats().peers(PeerState.SUSPECTED) != 0) {
      throw new IllegalStateException("the benchmark's peers must stay available: " + registry);
    }
    registry.close();
  }
}
