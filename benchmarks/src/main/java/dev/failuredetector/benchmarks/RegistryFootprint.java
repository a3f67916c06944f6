package dev.failuredetector.benchmarks;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.IntervalEstimator;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Heap retained per monitored peer: registers 100,000 peers (String keys "peer-N", phi accrual
 * detectors, each heard a few times) at several window sizes and compares the heap after full GCs
 * with and without the registry. Figures are approximate (GC accounting), good to a few percent.
 *
 * <p>Run: {@code ./mvnw -B -q -DskipTests package && java -Xmx4g -cp benchmarks/target/benchmarks.jar
 * dev.failuredetector.benchmarks.RegistryFootprint}
 */
public final class RegistryFootprint {

  private static final int PEERS = 100_000;

  private RegistryFootprint() {}

  public static void main(String[] args) {
    System.out.printf("%-14s %14s %16s%n", "maxSampleSize", "bytes per peer", "MiB per 100,000");
    for (int window : new int[] {1000, 200, 100, 64, 50, -1000}) {
      // -1000: the windowless estimator (estimator=ewma) over a span of 1000
      DetectorSpec.Phi spec = window > 0 ? DetectorSpec.phi().withWindow(window)
          : DetectorSpec.phi().withWindow(-window).withEstimator(IntervalEstimator.EWMA);
      long baseline = usedHeapAfterGc();
      FailureDetectorRegistry<String> registry = FailureDetectorRegistry.builder()
          .maxPeers(PEERS)
          .detector(spec)
          .build();
      for (int i = 0; i < PEERS; i++) {
        String key = "peer-" + i;
        registry.register(key);
        for (int h = 0; h < 3; h++) {
          registry.heartbeat(key);
        }
      }
      long used = usedHeapAfterGc() - baseline;
      System.out.printf("%-14s %14d %16.1f%n", window > 0 ? Integer.toString(window)
          : "ewma " + -window, used / PEERS, used / 1024.0 / 1024.0);
      registry.close();
      if (registry.size() != PEERS) {
        throw new AssertionError("registry lost peers"); // keeps it reachable until measured
      }
    }
  }

  private static long usedHeapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 4; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
