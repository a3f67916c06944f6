package dev.failuredetector;

/**
 * A sliding window over the last {@code capacity} samples (heartbeat inter-arrival intervals, in
 * nanoseconds) with their mean and variance, in O(1) per sample and without drift.
 *
 * <p><b>Exactness.</b> The window keeps the exact integer sum and the exact 128-bit sum of squares
 * of its samples; adding a sample and evicting the oldest are exact integer operations, so after any
 * number of samples (10<sup>9</sup> and more) the statistics equal a fresh recomputation over the
 * window. Floating point enters only when {@link #mean()} and {@link #variance()} convert the exact
 * sums (multiplying by a cached 1/n), each with a relative error of a few units in the last place. To make this possible samples
 * are clamped to {@code [-MAX_SAMPLE_NANOS, MAX_SAMPLE_NANOS]} (about 73 minutes), and the capacity
 * is at most {@link #MAX_CAPACITY}: then the sum fits in a {@code long} and {@code n * sumOfSquares}
 * in 128 bits.
 *
 * <p>An empty window has mean and variance 0. The variance is the population variance (divided by
 * the number of samples), as in Pekko's detector.
 *
 * <p><b>Not thread-safe.</b> One thread owns an instance; detectors publish its statistics to other
 * threads themselves.
 */
public final class HeartbeatHistory implements IntervalStatistics {

  /** Largest accepted sample magnitude, 2<sup>42</sup> ns (about 73 minutes); larger ones are clamped. */
  public static final long MAX_SAMPLE_NANOS = 1L << 42;

  /** Largest capacity, 2<sup>20</sup> samples. */
  public static final int MAX_CAPACITY = 1 << 20;

  private static final double TWO_POW_64 = 0x1p64;

  private final long[] samples;
  private int oldest;
  private int size;
  /** 1 / size and 1 / size^2, kept so that the statistics multiply instead of divide. */
  private double reciprocalSize;
  private double reciprocalSizeSquared;

  private long sum;
  /** Sum of squares as an unsigned 128-bit integer: high and low 64 bits. */
  private long sumOfSquaresHigh;
  private long sumOfSquaresLow;

  /**
   * Creates an empty window.
   *
   * @throws IllegalArgumentException if {@code capacity} is not between 1 and {@link #MAX_CAPACITY}
   */
  public HeartbeatHistory(int capacity) {
    this.samples = new long[Preconditions.windowSize("capacity", capacity)];
  }

  /** Adds a sample, evicting the oldest when the window is full. Clamps as described above. */
  public void add(long sampleNanos) {
    long sample = Math.max(-MAX_SAMPLE_NANOS, Math.min(MAX_SAMPLE_NANOS, sampleNanos));
    int capacity = samples.length;
    if (size == capacity) {
      long evicted = samples[oldest];
      samples[oldest] = sample;
      oldest = (oldest + 1 == capacity) ? 0 : oldest + 1;
      sum -= evicted;
      subtractSquare(evicted);
    } else {
      int slot = oldest + size;
      samples[slot >= capacity ? slot - capacity : slot] = sample;
      size++;
      reciprocalSize = 1.0 / size;
      reciprocalSizeSquared = 1.0 / ((double) size * size);
    }
    sum += sample;
    addSquare(sample);
  }

  /** Removes every sample. */
  public void clear() {
    oldest = 0;
    size = 0;
    reciprocalSize = 0;
    reciprocalSizeSquared = 0;
    sum = 0;
    sumOfSquaresHigh = 0;
    sumOfSquaresLow = 0;
  }

  /** Returns the number of samples in the window. */
  public int size() {
    return size;
  }

  /** Returns the most samples the window holds. */
  public int capacity() {
    return samples.length;
  }

  /** Returns the exact sum of the samples in the window. */
  public long sum() {
    return sum;
  }

  /** Returns the newest sample, or 0 when empty. */
  public long newest() {
    if (size == 0) {
      return 0;
    }
    int slot = oldest + size - 1;
    return samples[slot >= samples.length ? slot - samples.length : slot];
  }

  /** Returns the mean of the samples, 0 when empty. */
  public double mean() {
    return sum * reciprocalSize; // 0 when empty
  }

  /** Returns the population variance of the samples, 0 when empty; never negative. */
  public double variance() {
    if (size < 2) {
      return 0.0;
    }
    // n * sumOfSquares - sum^2 = sum over pairs of (x_i - x_j)^2, exactly, in 128 bits: it cannot
    // cancel catastrophically the way E[x^2] - E[x]^2 in doubles does.
    long n = size;
    long scaledLow = sumOfSquaresLow * n;
    long scaledHigh = sumOfSquaresHigh * n + unsignedMultiplyHigh(sumOfSquaresLow, n);
    long squareLow = sum * sum;
    long squareHigh = Math.multiplyHigh(sum, sum);
    long diffLow = scaledLow - squareLow;
    long borrow = Long.compareUnsigned(scaledLow, squareLow) < 0 ? 1 : 0;
    long diffHigh = scaledHigh - squareHigh - borrow;
    double numerator = diffHigh * TWO_POW_64 + unsignedToDouble(diffLow);
    return Math.max(0.0, numerator * reciprocalSizeSquared);
  }

  /** Returns the population standard deviation, 0 when empty. */
  public double stdDeviation() {
    return Math.sqrt(variance());
  }

  /**
   * Adds {@code delta} to every sample (saturating, then clamped as by {@link #add}), in
   * O(capacity) and without allocating. Used rarely, to re-base samples that are offsets from a
   * moving reference.
   */
  void shiftAll(long delta) {
    sum = 0;
    sumOfSquaresHigh = 0;
    sumOfSquaresLow = 0;
    for (int i = 0; i < size; i++) {
      int slot = oldest + i >= samples.length ? oldest + i - samples.length : oldest + i;
      long shifted = Saturating.add(samples[slot], delta);
      long sample = Math.max(-MAX_SAMPLE_NANOS, Math.min(MAX_SAMPLE_NANOS, shifted));
      samples[slot] = sample;
      sum += sample;
      addSquare(sample);
    }
  }

  private void addSquare(long x) {
    long low = x * x;
    long high = Math.multiplyHigh(x, x);
    long newLow = sumOfSquaresLow + low;
    long carry = Long.compareUnsigned(newLow, sumOfSquaresLow) < 0 ? 1 : 0;
    sumOfSquaresLow = newLow;
    sumOfSquaresHigh += high + carry;
  }

  private void subtractSquare(long x) {
    long low = x * x;
    long high = Math.multiplyHigh(x, x);
    long borrow = Long.compareUnsigned(sumOfSquaresLow, low) < 0 ? 1 : 0;
    sumOfSquaresLow -= low;
    sumOfSquaresHigh -= high + borrow;
  }

  /** {@code Math.unsignedMultiplyHigh} arrived in Java 18; this is its definition for Java 17. */
  private static long unsignedMultiplyHigh(long x, long y) {
    return Math.multiplyHigh(x, y) + ((x >> 63) & y) + ((y >> 63) & x);
  }

  private static double unsignedToDouble(long x) {
    double halved = (double) ((x >>> 1) | (x & 1));
    return x >= 0 ? (double) x : halved * 2.0;
  }

  @Override
  public String toString() {
    return "HeartbeatHistory[size=" + size + "/" + samples.length + ", mean=" + mean()
        + "ns, stdDeviation=" + stdDeviation() + "ns]";
  }
}
