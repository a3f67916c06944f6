package dev.failuredetector.benchmarks;

import dev.failuredetector.AccrualFailureDetector;
import dev.failuredetector.BertierFailureDetector;
import dev.failuredetector.ChenFailureDetector;
import dev.failuredetector.DeadlineFailureDetector;
import dev.failuredetector.FailureDetector;
import dev.failuredetector.PhiAccrualFailureDetector;
import dev.failuredetector.PhiDistribution;
import dev.failuredetector.TwoWindowFailureDetector;
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
 * The hot path of each detector: record a heartbeat, ask whether the peer is available (or its
 * phi), and both in a row, at window sizes 200 and 1000. Arrivals are one second apart with a
 * seeded jitter, prepared in {@link #setUp()}; the clock is never read (times are passed in).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar DetectorHotPathBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
public class DetectorHotPathBenchmark {

  private static final int JITTER_MASK = 1023;

  @Param({"PHI", "PHI_NORMAL", "PHI_EXPONENTIAL", "CHEN", "BERTIER", "TWO_WINDOW", "DEADLINE"})
  public String detector;

  @Param({"200", "1000"})
  public int window;

  private FailureDetector subject;
  private AccrualFailureDetector accrual;
  private final long[] jitter = new long[JITTER_MASK + 1];
  private long now;
  private long sequence;

  @Setup(Level.Trial)
  public void setUp() {
    subject = switch (detector) {
      case "PHI" -> PhiAccrualFailureDetector.builder().maxSampleSize(window).build();
      case "PHI_NORMAL" -> PhiAccrualFailureDetector.builder().maxSampleSize(window)
          .distribution(PhiDistribution.NORMAL).build();
      case "PHI_EXPONENTIAL" -> PhiAccrualFailureDetector.builder().maxSampleSize(window)
          .distribution(PhiDistribution.EXPONENTIAL).build();
      case "CHEN" -> ChenFailureDetector.builder().windowSize(window).build();
      case "BERTIER" -> BertierFailureDetector.builder().windowSize(window).build();
      case "TWO_WINDOW" -> TwoWindowFailureDetector.builder().longWindowSize(window).build();
      case "DEADLINE" -> DeadlineFailureDetector.builder().build();
      default -> throw new IllegalArgumentException("detector: " + detector);
    };
    accrual = subject instanceof AccrualFailureDetector a ? a : null;
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < jitter.length; i++) {
      jitter[i] = 1_000_000_000L + random.nextLong(-50_000_000L, 50_000_000L);
    }
    for (int i = 0; i < 2 * window; i++) {
      heartbeat(); // a full window before measuring
    }
  }

  @Benchmark
  public long heartbeat() {
    now += jitter[(int) (sequence & JITTER_MASK)];
    subject.heartbeat(sequence++, now);
    return now;
  }

  /** phi for the accrual detectors (the Pekko comparison point), availability for the others. */
  @Benchmark
  public double query() {
    long at = now + 1_200_000_000L;
    return accrual != null ? accrual.phi(at) : (subject.isAvailable(at) ? 1.0 : 0.0);
  }

  @Benchmark
  public boolean isAvailable() {
    return subject.isAvailable(now + 1_200_000_000L);
  }

  @Benchmark
  public double heartbeatThenQuery() {
    heartbeat();
    return query();
  }
}
