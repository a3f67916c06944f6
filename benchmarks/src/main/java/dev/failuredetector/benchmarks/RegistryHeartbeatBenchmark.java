package dev.failuredetector.benchmarks;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.HeartbeatOutcome;
import dev.failuredetector.MonitoredPeer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code FailureDetectorRegistry.heartbeat(key)} and {@code MonitoredPeer.heartbeat(now)} (the
 * handle {@code register} returns, as the transport uses it: no map lookup) with 1,000 or 100,000
 * registered peers (phi
 * accrual detectors), keys visited in a random order, with the registry's real timer thread
 * running. At 100,000 peers the working set (about 120 MB at window 100) is far larger than the
 * CPU caches, so each heartbeat waits on several main-memory reads; 1,000 peers fit in cache.
 * Each benchmark thread heartbeats its own half of the peers (one writer per peer, as with one
 * event loop per connection).
 *
 * <p>Run: {@code benchmarks/run.sh RegistryHeartbeatBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
public class RegistryHeartbeatBenchmark {

  /** The registry, shared by the benchmark threads. */
  @State(Scope.Benchmark)
  public static class Shared {
    @Param({"1000", "100"})
    public int window;

    @Param({"100000", "1000"})
    public int peers;

    /** The phi detector's interval estimator: {@code window} (exact) or {@code ewma}. */
    @Param({"window"})
    public String estimator;

    FailureDetectorRegistry<String> registry;
    String[] keys;
    MonitoredPeer<String>[] handles;
    final AtomicInteger threads = new AtomicInteger();

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void setUp() {
      handles = new MonitoredPeer[peers];
      registry = FailureDetectorRegistry.builder()
          .maxPeers(peers)
          .detector(DetectorSpec.parse("phi:window=" + window + ",estimator=" + estimator))
          .build();
      keys = new String[peers];
      for (int i = 0; i < peers; i++) {
        keys[i] = "peer-" + i;
        handles[i] = registry.register(keys[i]);
        registry.heartbeat(keys[i]);
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      registry.close();
    }
  }

  /** One thread's half of the keys, in a random order. */
  @State(Scope.Thread)
  public static class Cursor {
    String[] order;
    MonitoredPeer<String>[] handleOrder;
    /** The next sequence number of each position's peer (heartbeats with numbers). */
    long[] sequences;
    int next;

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void setUp(Shared shared) {
      int half = shared.threads.getAndIncrement() % 2;
      order = new String[shared.peers / 2];
      for (int i = 0; i < order.length; i++) {
        order[i] = shared.keys[2 * i + half];
      }
      SplittableRandom random = new SplittableRandom(half);
      for (int i = order.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        String swap = order[i];
        order[i] = order[j];
        order[j] = swap;
      }
      sequences = new long[order.length];
      handleOrder = new MonitoredPeer[order.length];
      for (int i = 0; i < order.length; i++) {
        handleOrder[i] = shared.registry.peer(order[i]).orElseThrow();
      }
    }
  }

  /**
   * Pekko's own registry ({@code DefaultFailureDetectorRegistry} of its phi detectors, the same
   * settings and window), the same keys in the same order: {@code heartbeat(key)} there.
   */
  @State(Scope.Benchmark)
  public static class Pekko {
    org.apache.pekko.remote.DefaultFailureDetectorRegistry<String> registry;

    @Setup(Level.Trial)
    public void setUp(Shared shared) {
      int window = shared.window;
      registry = new org.apache.pekko.remote.DefaultFailureDetectorRegistry<>(() ->
          new org.apache.pekko.remote.PhiAccrualFailureDetector(8.0, window,
              scala.concurrent.duration.FiniteDuration.apply(100, TimeUnit.MILLISECONDS),
              scala.concurrent.duration.FiniteDuration.apply(3, TimeUnit.SECONDS),
              scala.concurrent.duration.FiniteDuration.apply(1, TimeUnit.SECONDS),
              org.apache.pekko.remote.FailureDetector$.MODULE$.defaultClock()));
      for (String key : shared.keys) {
        registry.heartbeat(key);
      }
    }
  }

  @Benchmark
  @Threads(1)
  public boolean pekkoOneThread(Pekko pekko, Cursor cursor) {
    String key = cursor.order[cursor.next];
    cursor.next = cursor.next + 1 == cursor.order.length ? 0 : cursor.next + 1;
    pekko.registry.heartbeat(key);
    return true;
  }

  @Benchmark
  @Threads(1)
  public HeartbeatOutcome oneThread(Shared shared, Cursor cursor) {
    return heartbeat(shared, cursor);
  }

  @Benchmark
  @Threads(2)
  public HeartbeatOutcome twoThreads(Shared shared, Cursor cursor) {
    return heartbeat(shared, cursor);
  }

  @Benchmark
  @Threads(1)
  public HeartbeatOutcome oneThreadByHandle(Cursor cursor) {
    return heartbeatByHandle(cursor);
  }

  @Benchmark
  @Threads(2)
  public HeartbeatOutcome twoThreadsByHandle(Cursor cursor) {
    return heartbeatByHandle(cursor);
  }

  /**
   * As the transport records a datagram: through the handle, with the sender's incarnation and
   * sequence number, so the staleness check runs too.
   */
  @Benchmark
  @Threads(1)
  public HeartbeatOutcome oneThreadByHandleSequenced(Cursor cursor) {
    int position = cursor.next;
    MonitoredPeer<String> peer = cursor.handleOrder[position];
    cursor.next = position + 1 == cursor.handleOrder.length ? 0 : position + 1;
    return peer.heartbeat(7, ++cursor.sequences[position], System.nanoTime());
  }

  private static HeartbeatOutcome heartbeatByHandle(Cursor cursor) {
    MonitoredPeer<String> peer = cursor.handleOrder[cursor.next];
    cursor.next = cursor.next + 1 == cursor.handleOrder.length ? 0 : cursor.next + 1;
    return peer.heartbeat(System.nanoTime()); // reads the clock, as heartbeat(key) does
  }

  private static HeartbeatOutcome heartbeat(Shared shared, Cursor cursor) {
    String key = cursor.order[cursor.next];
    cursor.next = cursor.next + 1 == cursor.order.length ? 0 : cursor.next + 1;
    return shared.registry.heartbeat(key);
  }

}
