package dev.failuredetector.benchmarks;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.RegistryStats;
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
 * {@code FailureDetectorRegistry.stats()}, what every registry-wide meter reads at each scrape,
 * with 1,000 and 100,000 peers that have each heartbeat once. O(1) means the two are the same;
 * a walk over the peers (as before the counters) grows a hundredfold.
 *
 * <p>Run: {@code benchmarks/run.sh RegistryStatsBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Benchmark)
public class RegistryStatsBenchmark {

  @Param({"1000", "100000"})
  public int peers;

  private FailureDetectorRegistry<Integer> registry;

  @Setup(Level.Trial)
  public void setUp() {
    registry = FailureDetectorRegistry.builder().maxPeers(peers)
        .detector(DetectorSpec.phi().withWindow(16)).build();
    for (int i = 0; i < peers; i++) {
      registry.register(i).heartbeat(System.nanoTime());
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    registry.close();
  }

  @Benchmark
  public RegistryStats stats() {
    return registry.stats();
  }
}
