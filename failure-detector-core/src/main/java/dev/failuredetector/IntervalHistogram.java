package dev.failuredetector;

import java.util.concurrent.atomic.LongAdder;

/**
 * The registry-wide distribution of heartbeat intervals (the time between two accepted heartbeats
 * of one peer; a restart's first heartbeat starts afresh), in fixed buckets from 1 ms to 60 s:
 * bounded, whatever the number of peers, and exported as a cumulative histogram ({@code
 * failure.detector.heartbeat.intervals}, tag {@code le}) so an operator reads interval
 * percentiles in PromQL. A {@link RegistryPlugin}: {@code
 * FailureDetectorRegistry.builder().plugin(new IntervalHistogram())}. Recording is a bucket search
 * over 17 bounds and one {@link LongAdder} increment: no lock, no allocation once the adder has
 * its cells; each peer's observer keeps its last arrival (16 bytes). Thread-safe.
 */
public final class IntervalHistogram implements RegistryPlugin {

  /** Upper bounds of the buckets, in nanoseconds; a last, unbounded bucket follows. */
  private static final long[] BOUNDS_NANOS = {
    1_000_000L, 2_000_000L, 5_000_000L, 10_000_000L, 20_000_000L, 50_000_000L, 100_000_000L,
    200_000_000L, 500_000_000L, 1_000_000_000L, 2_000_000_000L, 5_000_000_000L,
    10_000_000_000L, 20_000_000_000L, 30_000_000_000L, 60_000_000_000L};

  private final LongAdder[] counts = new LongAdder[BOUNDS_NANOS.length + 1];

  /** An empty histogram, to add to one registry. */
  public IntervalHistogram() {
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
  }

  /** Counts one interval of {@code nanos} (negative ones are not intervals: ignored). */
  void record(long nanos) {
    if (nanos < 0) {
      return;
    }
    int bucket = 0;
    while (bucket < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[bucket]) {
      bucket++;
    }
    counts[bucket].increment();
  }

  @Override
  public ArrivalObserver observe(Object key) {
    return new ArrivalObserver() {
      private long last;
      private boolean seen;

      @Override
      public void arrived(long incarnation, long sequence, long nowNanos) {
        if (seen) {
          record(nowNanos - last);
        }
        last = nowNanos;
        seen = true;
      }

      @Override
      public void restarted(long incarnation) {
        seen = false;
      }
    };
  }

  /** The number of buckets with an upper bound (the unbounded one not counted). */
  public static int boundedBuckets() {
    return BOUNDS_NANOS.length;
  }

  /** The upper bound of bucket {@code i}, in seconds. */
  public static double upperBoundSeconds(int i) {
    return BOUNDS_NANOS[i] / 1e9;
  }

  /** Intervals at most {@link #upperBoundSeconds(int) upperBoundSeconds(i)}: cumulative. */
  public long countAtMost(int i) {
    long sum = 0;
    for (int b = 0; b <= i; b++) {
      sum += counts[b].sum();
    }
    return sum;
  }

  /** Every interval counted. */
  public long count() {
    return countAtMost(counts.length - 1);
  }
}
