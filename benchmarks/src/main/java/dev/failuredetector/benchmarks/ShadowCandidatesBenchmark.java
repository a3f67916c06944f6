package dev.failuredetector.benchmarks;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.HeartbeatOutcome;
import dev.failuredetector.MonitoredPeer;
import java.util.ArrayList;
import java.util.List;
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
 * The cost of shadow candidates on the heartbeat path: {@code MonitoredPeer.heartbeat(sequence,
 * now)} through a registry of 1,000 peers (phi, window 100; in cache), with 0, 1, 4 or 8
 * candidates (phi at other thresholds and a Chen detector, window 100, as an operator would
 * compare). The cost per candidate is the difference to 0 over the count; B/op from {@code -prof
 * gc} shows it allocates nothing.
 *
 * <p>Run: {@code benchmarks/run.sh ShadowCandidatesBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@State(Scope.Thread)
public class ShadowCandidatesBenchmark {

  private static final int PEERS = 1_000;
  private static final long INTERVAL_NANOS = 100_000_000L;

  @Param({"0", "1", "4", "8"})
  public int candidates;

  private FailureDetectorRegistry<Integer> registry;
  private MonitoredPeer<Integer>[] peers;
  private long[] sequences;
  private long now;
  private int next;

  @Setup(Level.Trial)
  @SuppressWarnings("unchecked")
  public void setUp() {
    List<DetectorSpec> shadow = new ArrayList<>();
    for (int i = 0; i < candidates; i++) {
      shadow.add(i % 4 == 3 ? DetectorSpec.parse("chen:window=100,margin=" + (50 + i) + "ms")
          : DetectorSpec.phi().withWindow(100).withThreshold(4 + i));
    }
    registry = FailureDetectorRegistry.<Integer>builder().maxPeers(PEERS)
        .detector(DetectorSpec.phi().withWindow(100))
        .plugin(dev.failuredetector.qos.ShadowCandidates.of(shadow)).build();
    peers = new MonitoredPeer[PEERS];
    sequences = new long[PEERS];
    now = System.nanoTime();
    for (int i = 0; i < PEERS; i++) {
      peers[i] = registry.register(i);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    registry.close();
  }

  @Benchmark
  public HeartbeatOutcome heartbeat() {
    int i = next;
    next = i + 1 == PEERS ? 0 : i + 1;
    // Each peer's heartbeats 100 ms apart (+ up to 7 ms), the clock moving on with them.
    now += INTERVAL_NANOS / PEERS + (i & 7) * 1_000;
    return peers[i].heartbeat(++sequences[i], now);
  }
}
