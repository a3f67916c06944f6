package dev.failuredetector.benchmarks;

import dev.failuredetector.IntervalEstimator;
import dev.failuredetector.PhiAccrualFailureDetector;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The same phi accrual detector, three implementations, same settings (Pekko cluster's defaults:
 * threshold 8, minStdDeviation 100 ms, acceptable pause 3 s, first estimate 1 s), same arrivals
 * (1 s apart with a seeded jitter of +-50 ms): ours, Pekko 1.7.0's {@code
 * org.apache.pekko.remote.PhiAccrualFailureDetector} driven by a manual millisecond clock, and
 * Hazelcast 5.7.0's {@code com.hazelcast.internal.cluster.fd.PhiAccrualFailureDetector}.
 *
 * <p>Run: {@code benchmarks/run.sh PhiAccrualComparisonBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
public class PhiAccrualComparisonBenchmark {

  private static final int JITTER_MASK = 1023;

  /** ours-ewma: our phi with the windowless estimator (estimator=ewma, window as its span). */
  @Param({"ours", "ours-ewma", "pekko", "hazelcast"})
  public String implementation;

  @Param({"200", "1000"})
  public int window;

  private Subject subject;
  private final long[] intervalsMillis = new long[JITTER_MASK + 1];
  private long nowMillis;
  private int next;

  /** One implementation, in milliseconds (the peers' unit). */
  interface Subject {
    void heartbeat(long nowMillis);

    double phi(long nowMillis);
  }

  @Setup(Level.Trial)
  public void setUp() {
    subject = switch (implementation) {
      case "ours" -> ours(window, IntervalEstimator.WINDOW);
      case "ours-ewma" -> ours(window, IntervalEstimator.EWMA);
      case "pekko" -> peer(new PekkoPhiPeer(8.0, window, 100, 3000, 1000));
      case "hazelcast" -> peer(new HazelcastPhiPeer(8.0, window, 100, 3000, 1000));
      default -> throw new IllegalArgumentException("implementation: " + implementation);
    };
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < intervalsMillis.length; i++) {
      intervalsMillis[i] = 950 + random.nextInt(101);
    }
    nowMillis = 1_000_000;
    for (int i = 0; i < 2 * window; i++) {
      heartbeat();
    }
  }

  @Benchmark
  public long heartbeat() {
    nowMillis += intervalsMillis[next++ & JITTER_MASK];
    subject.heartbeat(nowMillis);
    return nowMillis;
  }

  @Benchmark
  public double phi() {
    return subject.phi(nowMillis + 1200);
  }

  @Benchmark
  public double heartbeatThenPhi() {
    heartbeat();
    return phi();
  }

  private static Subject ours(int window, IntervalEstimator estimator) {
    PhiAccrualFailureDetector detector = PhiAccrualFailureDetector.builder()
        .maxSampleSize(window).estimator(estimator).build();
    return new Subject() {
      @Override
      public void heartbeat(long nowMillis) {
        detector.heartbeat(nowMillis * 1_000_000L);
      }

      @Override
      public double phi(long nowMillis) {
        return detector.phi(nowMillis * 1_000_000L);
      }
    };
  }

  /** Both peers, through the same millisecond adapter the QoS comparison uses. */
  private static Subject peer(MillisecondPhiPeer peer) {
    return new Subject() {
      @Override
      public void heartbeat(long nowMillis) {
        peer.peerHeartbeat(nowMillis);
      }

      @Override
      public double phi(long nowMillis) {
        return peer.peerPhi(nowMillis);
      }
    };
  }
}
