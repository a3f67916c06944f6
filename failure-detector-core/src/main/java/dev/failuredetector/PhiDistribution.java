package dev.failuredetector;

/**
 * The model of heartbeat inter-arrival times from which a {@link PhiAccrualFailureDetector}
 * computes phi = -log10(P(interval > time since the last heartbeat)).
 *
 * <p>Each constant's {@link #phi(double, double, double)} works in any one time unit, never
 * returns NaN or a negative value, and may return {@link Double#POSITIVE_INFINITY}.
 */
public enum PhiDistribution {

  /**
   * Normal distribution through the logistic approximation of its CDF that Pekko and Akka use:
   * {@code F(y) = 1 / (1 + exp(-y (1.5976 + 0.070566 y^2)))}, {@code y = (t - mean) / std}. Its
   * error in F is at most 1.4e-4, but far in the tail it falls faster than the normal tail, so phi
   * rises faster: at y = 5 it gives 7.30 where the exact tail gives 6.54. The default, for results
   * identical to Pekko's detector.
   */
  LOGISTIC {
    @Override
    public double phi(double timeDiff, double mean, double stdDeviation) {
      double y = (timeDiff - mean) / stdDeviation;
      double e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
      double phi = timeDiff > mean ? -Math.log10(e / (1.0 + e)) : -Math.log10(1.0 - 1.0 / (1.0 + e));
      return phi > 0 ? phi : 0.0; // also maps NaN and -0.0 to 0
    }
  },

  /**
   * Normal distribution with the exact tail, {@code -log10(erfc(y / sqrt 2) / 2)}, accurate to
   * about 1e-13 relative and finite for every finite y. Suspects later than {@link #LOGISTIC} for
   * the same threshold above phi ~ 2, because it does not under-estimate the tail.
   */
  NORMAL {
    @Override
    public double phi(double timeDiff, double mean, double stdDeviation) {
      return NormalTail.phi((timeDiff - mean) / stdDeviation);
    }
  },

  /**
   * Exponential distribution, Cassandra's model: {@code phi = t / (mean ln 10)}; the standard
   * deviation is not used (an exponential's deviation equals its mean). Linear in the time since
   * the last heartbeat, so its timeout is simply {@code threshold * ln 10 * mean}.
   */
  EXPONENTIAL {
    @Override
    public double phi(double timeDiff, double mean, double stdDeviation) {
      double phi = timeDiff / (mean * LN_10);
      return phi > 0 ? phi : 0.0;
    }

    @Override
    double standardizedThreshold(double threshold) {
      return threshold * LN_10;
    }

    @Override
    double elapsedAt(double standardized, double mean, double stdDeviation) {
      return standardized * mean;
    }
  };

  private static final double LN_10 = Math.log(10.0);

  /**
   * Returns phi for a time {@code timeDiff} since the last heartbeat, given the mean and standard
   * deviation of the intervals, all in the same unit.
   */
  public abstract double phi(double timeDiff, double mean, double stdDeviation);

  /**
   * Returns the standardized time since the last heartbeat at which phi reaches {@code threshold}:
   * the {@code y} of {@code phi(y, 0, 1) = threshold} for the normal models. Slow (a bisection);
   * called when the threshold changes.
   */
  double standardizedThreshold(double threshold) {
    double low = -40.0; // phi(-40) is 0 for both normal models: below any threshold > 0
    double high = 1.0 + Math.sqrt(2.0 * threshold * LN_10);
    while (phi(high, 0.0, 1.0) < threshold && high < 1e300) {
      high *= 2.0;
    }
    for (int i = 0; i < 200 && low < high; i++) {
      double mid = 0.5 * (low + high);
      if (mid == low || mid == high) {
        break;
      }
      if (phi(mid, 0.0, 1.0) >= threshold) {
        high = mid;
      } else {
        low = mid;
      }
    }
    return high;
  }

  /** Returns the time since the last heartbeat that corresponds to a standardized value. */
  double elapsedAt(double standardized, double mean, double stdDeviation) {
    return mean + standardized * stdDeviation;
  }
}
