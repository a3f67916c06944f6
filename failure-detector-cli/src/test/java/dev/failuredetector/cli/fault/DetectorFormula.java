package dev.failuredetector.cli.fault;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.PhiDistribution;
import java.util.Arrays;

/**
 * Each detector's timeout computed from arrival times alone, straight from its paper's formula,
 * written here independently of the library's classes (the phi tail function excepted). The
 * arrivals are numbered 0, 1, 2, ... in the order they came: on loopback nothing is lost, so that
 * is the sender's numbering if the transport numbers its heartbeats to this receiver
 * consecutively. A transport that numbered them otherwise would make the detector's timeout and
 * this one disagree.
 */
final class DetectorFormula {

  private DetectorFormula() {}

  /** The timeout (ns after the last arrival) the spec's formula gives for these arrivals. */
  static double timeoutNanos(DetectorSpec spec, long[] arrivals) {
    double eta = spec.interval().toNanos();
    if (spec instanceof DetectorSpec.Deadline deadline) {
      return eta + deadline.pause().toNanos();
    }
    if (spec instanceof DetectorSpec.Phi phi) {
      return phiTimeout(phi, arrivals);
    }
    if (spec instanceof DetectorSpec.Chen chen) {
      return expectedDelay(arrivals, eta, chen.window()) + chen.margin().toNanos();
    }
    if (spec instanceof DetectorSpec.TwoWindow two) {
      return Math.max(expectedDelay(arrivals, eta, two.shortWindow()),
          expectedDelay(arrivals, eta, two.longWindow())) + two.margin().toNanos();
    }
    DetectorSpec.Bertier bertier = (DetectorSpec.Bertier) spec;
    // Jacobson's recurrences over the errors of Chen's estimate (Bertier et al. 2002, eq. 1-4).
    double delay = 0;
    double var = eta / 2;
    for (int k = 1; k < arrivals.length; k++) {
      double lateness = (arrivals[k] - arrivals[k - 1])
          - expectedDelay(Arrays.copyOf(arrivals, k), eta, bertier.window());
      double error = lateness - delay;
      delay += bertier.gain() * error;
      var += bertier.gain() * (Math.abs(error) - var);
    }
    return expectedDelay(arrivals, eta, bertier.window()) + Math.max(bertier.minMargin().toNanos(),
        bertier.delayWeight() * delay + bertier.varianceWeight() * var);
  }

  /**
   * Chen's EA(l+1) minus the last arrival, over the last {@code window} arrivals: with offsets
   * d_i = A_i - eta * i, EA(l+1) = mean(d) + (l+1) eta, so EA(l+1) - A_l = eta + mean(d) - d_l.
   */
  static double expectedDelay(long[] arrivals, double eta, int window) {
    int last = arrivals.length - 1;
    int first = Math.max(0, arrivals.length - window);
    double sum = 0;
    for (int i = first; i <= last; i++) {
      sum += (arrivals[i] - arrivals[first]) - eta * (i - first);
    }
    double mean = sum / (last - first + 1);
    double lastOffset = (arrivals[last] - arrivals[first]) - eta * (last - first);
    return eta + mean - lastOffset;
  }

  /**
   * Phi accrual as Pekko: the intervals plus a seed of eta +- eta/4, the last {@code window} of
   * them; mean + pause; deviation floored; the timeout is where phi reaches the threshold.
   */
  private static double phiTimeout(DetectorSpec.Phi phi, long[] arrivals) {
    double eta = phi.interval().toNanos();
    int intervals = arrivals.length - 1;
    double[] samples = new double[intervals + 2];
    samples[0] = eta - Math.floor(eta / 4);
    samples[1] = eta + Math.floor(eta / 4);
    for (int i = 1; i <= intervals; i++) {
      samples[i + 1] = arrivals[i] - arrivals[i - 1];
    }
    int from = Math.max(0, samples.length - phi.window());
    double sum = 0;
    for (int i = from; i < samples.length; i++) {
      sum += samples[i];
    }
    int n = samples.length - from;
    double mean = sum / n;
    double squares = 0;
    for (int i = from; i < samples.length; i++) {
      squares += (samples[i] - mean) * (samples[i] - mean);
    }
    double std = Math.sqrt(squares / n);
    double minStd = phi.minStd().toNanos();
    double pause = phi.pause().toNanos();
    if (phi.distribution() == PhiDistribution.EXPONENTIAL) {
      return phi.threshold() * Math.log(10) * (Math.max(mean, minStd) + pause);
    }
    double m = mean + pause;
    double s = Math.max(std, minStd);
    double low = 0;
    double high = m + 100 * s;
    for (int i = 0; i < 200; i++) {
      double mid = (low + high) / 2;
      if (phi.distribution().phi(mid, m, s) >= phi.threshold()) {
        high = mid;
      } else {
        low = mid;
      }
    }
    return high;
  }
}
