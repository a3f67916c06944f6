package dev.failuredetector;

/**
 * A failure detector that outputs a suspicion level on a continuous scale, phi, instead of only a
 * yes/no answer (Hayashibara et al., "The phi accrual failure detector", 2004). A peer is available
 * while phi is below the detector's threshold.
 *
 * <p>Phi is {@code -log10} of the probability that a heartbeat would arrive later than now, given
 * the observed arrivals: phi 1 means a 10% chance that a live peer's heartbeat is still coming,
 * phi 3 means 0.1%, phi 8 means 10<sup>-8</sup>. Same thread-safety contract as {@link
 * FailureDetector}.
 */
public interface AccrualFailureDetector extends FailureDetector {

  /** Returns the suspicion level now (reads the clock); 0 before the first heartbeat. */
  double phi();

  /**
   * Returns the suspicion level at {@code nowNanos}: never negative, never NaN, possibly {@link
   * Double#POSITIVE_INFINITY} long after the last heartbeat; 0 before the first heartbeat.
   */
  double phi(long nowNanos);

  /** Returns the threshold at or above which the peer is suspected. */
  double threshold();

  /**
   * Changes the threshold for every later query, from any thread.
   *
   * @throws IllegalArgumentException if {@code threshold} is not a finite number above 0
   */
  void setThreshold(double threshold);
}
