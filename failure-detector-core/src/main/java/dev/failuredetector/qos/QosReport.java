package dev.failuredetector.qos;

/**
 * The quality of service of one detector on one trace, in the metrics of Chen, Toueg and Aguilera
 * (2002). Times in nanoseconds.
 *
 * <p><b>Detection time</b> is measured at every crash point: for each heartbeat (after the
 * warm-up), as if the sender had crashed right after sending it, the time from that heartbeat's
 * arrival until the detector suspects for good (its deadline after that heartbeat). It excludes
 * the last heartbeat's one-way network delay, which is the same for every detector.
 *
 * <p><b>Mistakes</b> are suspicions of the live sender: the deadline after a heartbeat passed
 * before the next heartbeat arrived. A mistake lasts until a heartbeat makes the detector trust
 * again; back-to-back suspicions without a moment of trust in between are one mistake.
 *
 * @param heartbeats heartbeats observed (after the warm-up)
 * @param observedNanos time observed, from the first observed heartbeat to the last
 * @param detectionTimeMeanNanos mean detection time over the crash points
 * @param detectionTimeP99Nanos 99th percentile of detection time
 * @param detectionTimeMaxNanos largest detection time
 * @param mistakes number of wrong suspicions
 * @param mistakeRatePerSecond lambda_M: mistakes per second observed
 * @param meanMistakeDurationNanos T_M: mean duration of a mistake (0 without mistakes)
 * @param queryAccuracy P_A: probability that the detector is right when asked at a random time
 *     while the sender is alive (1 - suspected time / observed time)
 * @param windowNanos the length of the windows the observed time is cut into to find the worst
 *     one: an hour when at least four hours were observed, else a quarter of the time observed
 * @param worstWindowMistakes the most mistakes that began in any one window (a load that comes
 *     and goes shows here, and not in the mean rate)
 */
public record QosReport(int heartbeats, long observedNanos, double detectionTimeMeanNanos,
    long detectionTimeP99Nanos, long detectionTimeMaxNanos, long mistakes,
    double mistakeRatePerSecond, double meanMistakeDurationNanos, double queryAccuracy,
    long windowNanos, long worstWindowMistakes) {

  /** The window length for {@code observedNanos} of observation (see {@code windowNanos}). */
  public static long windowNanosFor(long observedNanos) {
    long hour = 3_600_000_000_000L;
    return observedNanos >= 4 * hour ? hour : Math.max(1, observedNanos / 4);
  }

  /**
   * Whether the worst window could be chance at {@code perDay} mistakes a day: it holds no more
   * than the worst of this many windows would hold at that rate, 95 times in 100.
   */
  public boolean worstWindowWithin(double perDay) {
    long windows = Math.max(1, observedNanos / windowNanos);
    return worstWindowMistakes
        <= PoissonBound.worstWindowAllowed(perDay * windowNanos / 86_400e9, windows);
  }

  /**
   * The upper end of a one-sided 95% confidence interval of the mistake rate, per day, treating
   * mistakes as a Poisson process: the rate the trace cannot rule out. Zero mistakes in T give
   * about 3/T (the "rule of three"); six mistakes, about 11.8/T.
   */
  public double mistakesPerDayUpper95() {
    return PoissonBound.upper95(mistakes) * 86_400e9 / Math.max(1, observedNanos);
  }

  /** Mistakes per day at the observed rate. */
  public double mistakesPerDay() {
    return mistakeRatePerSecond * 86_400;
  }

  @Override
  public String toString() {
    return String.format("T_D mean %.3f s, p99 %.3f s, max %.3f s; %d mistakes (%.3g/s), T_M %.3f s,"
        + " P_A %.6f", detectionTimeMeanNanos / 1e9, detectionTimeP99Nanos / 1e9,
        detectionTimeMaxNanos / 1e9, mistakes, mistakeRatePerSecond,
        meanMistakeDurationNanos / 1e9, queryAccuracy);
  }
}
