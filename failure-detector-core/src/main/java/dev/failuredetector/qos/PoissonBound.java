package dev.failuredetector.qos;

/**
 * One-sided confidence bounds on the mean of a Poisson count: how many events per observation a
 * rate could have and still, with probability 5%, have shown as few as were counted.
 */
public final class PoissonBound {

  /** The standard normal's 95th percentile. */
  private static final double Z95 = 1.6448536269514722;

  private PoissonBound() {}

  /**
   * The 95% upper bound on the Poisson mean after {@code count} events: the exact value (the
   * chi-square quantile, 2.996 for zero, 4.744 for one) for small counts, Wilson and Hilferty's
   * approximation (within 0.1% beyond 20) for larger.
   */
  public static double upper95(long count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
    if (count <= 20) {
      return exactUpper(count);
    }
    double k = count + 1;
    double cube = 1 - 1 / (9 * k) + Z95 / (3 * Math.sqrt(k));
    return k * cube * cube * cube;
  }

  /** Bisects for the mean m with P(X <= count; m) = 0.05. */
  private static double exactUpper(long count) {
    double low = count;
    double high = count + 10 + 10 * Math.sqrt(count + 1);
    for (int i = 0; i < 100; i++) {
      double mid = (low + high) / 2;
      if (cdf(count, mid) > 0.05) {
        low = mid;
      } else {
        high = mid;
      }
    }
    return (low + high) / 2;
  }

  /**
   * The most events that the worst of {@code windows} windows may hold, with 95% probability,
   * when events come at {@code meanPerWindow} per window: the smallest k with
   * P(X &lt;= k)^windows &gt;= 0.95 for X Poisson. A worst window above it is more than chance at
   * that rate.
   */
  public static long worstWindowAllowed(double meanPerWindow, long windows) {
    if (!(meanPerWindow >= 0) || windows < 1) {
      throw new IllegalArgumentException("meanPerWindow " + meanPerWindow + ", windows " + windows);
    }
    double perWindow = Math.pow(0.95, 1.0 / windows); // each window's P(X <= k) must reach it
    double term = Math.exp(-meanPerWindow);
    if (term == 0) { // a mean too large for the sum: the normal approximation
      double z = 1.6448536269514722 + Math.sqrt(2 * Math.log(windows));
      return (long) Math.ceil(meanPerWindow + z * Math.sqrt(meanPerWindow));
    }
    double sum = term;
    long k = 0;
    while (sum < perWindow && k < 1_000_000) {
      k++;
      term *= meanPerWindow / k;
      sum += term;
    }
    return k;
  }

  private static double cdf(long count, double mean) {
    double term = Math.exp(-mean);
    double sum = term;
    for (long i = 1; i <= count; i++) {
      term *= mean / i;
      sum += term;
    }
    return sum;
  }
}
