package dev.failuredetector.qos;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * One-way network delay of heartbeats: a fixed base, plus an exponentially distributed jitter,
 * with each heartbeat lost independently with some probability. The channel is FIFO: a heartbeat
 * never overtakes the previous one (as over one TCP connection or one quiet UDP path).
 *
 * @param baseDelay the minimum delay (propagation and processing)
 * @param meanJitter the mean of the exponential part (queueing); zero for none
 * @param lossProbability probability that a heartbeat is lost, in [0, 1)
 */
public record DelayModel(Duration baseDelay, Duration meanJitter, double lossProbability) {

  public DelayModel {
    Objects.requireNonNull(baseDelay, "baseDelay");
    Objects.requireNonNull(meanJitter, "meanJitter");
    if (baseDelay.isNegative()) {
      throw new IllegalArgumentException("baseDelay must be >= 0, got " + baseDelay);
    }
    if (meanJitter.isNegative()) {
      throw new IllegalArgumentException("meanJitter must be >= 0, got " + meanJitter);
    }
    if (!(lossProbability >= 0 && lossProbability < 1)) {
      throw new IllegalArgumentException(
          "lossProbability must be >= 0 and < 1, got " + lossProbability);
    }
  }

  /** Draws one delay in nanoseconds, or -1 if the heartbeat is lost. */
  long sampleNanos(SplittableRandom random) {
    if (lossProbability > 0 && random.nextDouble() < lossProbability) {
      return -1;
    }
    long jitter = meanJitter.isZero() ? 0
        : (long) (-Math.log(1.0 - random.nextDouble()) * meanJitter.toNanos());
    return baseDelay.toNanos() + jitter;
  }

  /**
   * Returns {@code sends} with arrival times drawn from this model (lost heartbeats removed),
   * seeded so the same seed gives the same trace. Arrival times are on the sender's clock.
   *
   * @throws IllegalArgumentException if {@code sends} has no send times, or every heartbeat is
   *     lost
   */
  public HeartbeatTrace arrivals(HeartbeatTrace sends, long seed) {
    if (!sends.hasSends()) {
      throw new IllegalArgumentException("the trace has no send times to add delays to");
    }
    SplittableRandom random = new SplittableRandom(seed);
    int n = sends.size();
    long[] sequences = new long[n];
    long[] sendTimes = new long[n];
    long[] arrivals = new long[n];
    int kept = 0;
    long lastArrival = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      long delay = sampleNanos(random);
      if (delay < 0) {
        continue;
      }
      long arrival = sends.sendNanos(i) + delay;
      if (kept > 0 && arrival - lastArrival < 0) {
        arrival = lastArrival; // FIFO
      }
      sequences[kept] = sends.sequence(i);
      sendTimes[kept] = sends.sendNanos(i);
      arrivals[kept] = arrival;
      lastArrival = arrival;
      kept++;
    }
    if (kept == 0) {
      throw new IllegalArgumentException("every heartbeat was lost");
    }
    return HeartbeatTrace.ofSendsAndArrivals(Arrays.copyOf(sequences, kept),
        Arrays.copyOf(sendTimes, kept), Arrays.copyOf(arrivals, kept));
  }

  @Override
  public String toString() {
    return "delay " + baseDelay.toNanos() / 1e6 + " ms + Exp(mean " + meanJitter.toNanos() / 1e6
        + " ms), loss " + lossProbability;
  }
}
