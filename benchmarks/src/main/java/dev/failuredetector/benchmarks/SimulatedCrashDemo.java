package dev.failuredetector.benchmarks;

import dev.failuredetector.BertierFailureDetector;
import dev.failuredetector.ChenFailureDetector;
import dev.failuredetector.DeadlineFailureDetector;
import dev.failuredetector.FailureDetector;
import dev.failuredetector.PhiAccrualFailureDetector;
import dev.failuredetector.PhiDistribution;
import dev.failuredetector.TwoWindowFailureDetector;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Runs every detector over the same simulated peer and prints, for each, how many times it
 * wrongly suspected the live peer and how long it took to notice the crash.
 *
 * <p>The peer sends a heartbeat every 100 ms for ten simulated minutes; network delay is 2 ms plus
 * an exponential jitter of mean 1 ms, with 1% of heartbeats lost, a delay spike to 200-400 ms once
 * in 500 heartbeats, and one 1.5 s stop of the sender (a GC pause) at minute 5; then it crashes.
 * Seeded, so every run prints the same table. Judged event by event: a mistake is a heartbeat that
 * arrives after the detector's deadline ({@link FailureDetector#suspectAtNanos()}); detection
 * time is the deadline after the last heartbeat minus the crash time.
 *
 * <p>Run: {@code ./mvnw -B -q -DskipTests package && java -cp benchmarks/target/benchmarks.jar
 * dev.failuredetector.benchmarks.SimulatedCrashDemo [seed]}
 */
public final class SimulatedCrashDemo {

  private static final long MS = 1_000_000L;
  private static final long INTERVAL = 100 * MS;
  private static final long DURATION = 600_000 * MS;

  private SimulatedCrashDemo() {}

  public static void main(String[] args) {
    long seed = args.length > 0 ? Long.parseLong(args[0]) : 1;
    Trace trace = Trace.simulate(seed);
    System.out.printf("Simulated peer (seed %d): %d heartbeats sent every 100 ms for 10 min, %d lost,"
        + " %d delay spikes, one 1.5 s sender pause; crash at %.1f s.%n%n",
        seed, trace.sent, trace.sent - trace.count, trace.spikes, trace.crashNanos / 1e9);
    System.out.printf("%-34s %9s %16s %14s%n", "detector (settings)", "mistakes",
        "detection time", "final timeout");
    for (Map.Entry<String, Supplier<FailureDetector>> entry : detectors().entrySet()) {
      FailureDetector detector = entry.getValue().get();
      int mistakes = 0;
      for (int i = 0; i < trace.count; i++) {
        if (detector.isMonitoring() && !detector.isAvailable(trace.arrivals[i])) {
          mistakes++; // the peer was alive: this heartbeat came after the deadline
        }
        detector.heartbeat(trace.sequences[i], trace.arrivals[i]);
      }
      double detectionSeconds = (detector.suspectAtNanos() - trace.crashNanos) / 1e9;
      System.out.printf("%-34s %9d %14.3f s %12.3f s%n", entry.getKey(), mistakes,
          detectionSeconds, detector.timeoutNanos() / 1e9);
    }
    System.out.println();
    System.out.println("Lower is better in both columns; the settings trade one for the other"
        + " (see docs/detectors.md, \"Which detector\").");
  }

  private static Map<String, Supplier<FailureDetector>> detectors() {
    Duration interval = Duration.ofMillis(100);
    Map<String, Supplier<FailureDetector>> detectors = new LinkedHashMap<>();
    detectors.put("phi, Pekko defaults (pause 3 s)", () -> PhiAccrualFailureDetector.builder()
        .firstHeartbeatEstimate(interval).build());
    detectors.put("phi logistic, pause 0, min std 20ms", () -> PhiAccrualFailureDetector.builder()
        .firstHeartbeatEstimate(interval).acceptableHeartbeatPause(Duration.ZERO)
        .minStdDeviation(Duration.ofMillis(20)).build());
    detectors.put("phi normal, pause 0, min std 20ms", () -> PhiAccrualFailureDetector.builder()
        .firstHeartbeatEstimate(interval).acceptableHeartbeatPause(Duration.ZERO)
        .minStdDeviation(Duration.ofMillis(20)).distribution(PhiDistribution.NORMAL).build());
    detectors.put("phi exponential (Cassandra), T 8", () -> PhiAccrualFailureDetector.builder()
        .firstHeartbeatEstimate(interval).acceptableHeartbeatPause(Duration.ZERO)
        .distribution(PhiDistribution.EXPONENTIAL).build());
    detectors.put("Chen, margin 200 ms", () -> ChenFailureDetector.builder()
        .heartbeatInterval(interval).safetyMargin(Duration.ofMillis(200)).build());
    detectors.put("Bertier (paper's weights)", () -> BertierFailureDetector.builder()
        .heartbeatInterval(interval).build());
    detectors.put("2W-FD, windows 1/1000, margin 200ms", () -> TwoWindowFailureDetector.builder()
        .heartbeatInterval(interval).safetyMargin(Duration.ofMillis(200)).build());
    detectors.put("deadline, 100 ms + pause 200 ms", () -> DeadlineFailureDetector.builder()
        .heartbeatInterval(interval).acceptableHeartbeatPause(Duration.ofMillis(200)).build());
    detectors.put("deadline, Pekko defaults (1 s + 3 s)", () -> DeadlineFailureDetector.builder()
        .build());
    return detectors;
  }

  /** Arrival times (sorted) and sequence numbers of the heartbeats that got through. */
  private static final class Trace {
    final long[] arrivals;
    final long[] sequences;
    int count;
    int sent;
    int spikes;
    long crashNanos;

    private Trace(int capacity) {
      arrivals = new long[capacity];
      sequences = new long[capacity];
    }

    static Trace simulate(long seed) {
      SplittableRandom random = new SplittableRandom(seed);
      int capacity = (int) (DURATION / INTERVAL) + 1;
      Trace trace = new Trace(capacity);
      long sendTime = 0;
      long lastArrival = Long.MIN_VALUE;
      for (int seq = 0; sendTime < DURATION; seq++) {
        trace.sent++;
        if (seq == 3000) {
          sendTime += 1500 * MS; // the sender stops for 1.5 s (GC), then resumes
        }
        long delay = 2 * MS + (long) (-Math.log(1 - random.nextDouble()) * MS);
        if (random.nextInt(500) == 0) {
          delay += 200 * MS + random.nextLong(200 * MS);
          trace.spikes++;
        }
        boolean lost = random.nextInt(100) == 0;
        // FIFO channel: a heartbeat cannot overtake the previous one.
        long arrival = Math.max(sendTime + delay, lastArrival);
        if (!lost) {
          trace.arrivals[trace.count] = arrival;
          trace.sequences[trace.count] = seq;
          trace.count++;
          lastArrival = arrival;
        }
        trace.crashNanos = sendTime;
        sendTime += INTERVAL;
      }
      trace.crashNanos += INTERVAL; // the next heartbeat is never sent
      return trace;
    }
  }
}
