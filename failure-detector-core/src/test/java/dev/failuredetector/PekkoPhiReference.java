package dev.failuredetector;

import java.util.concurrent.TimeUnit;
import org.apache.pekko.remote.FailureDetector;
import scala.concurrent.duration.FiniteDuration;

/**
 * Pekko's own {@code org.apache.pekko.remote.PhiAccrualFailureDetector}, driven by a manual clock in
 * whole milliseconds (Pekko's unit), as the reference our detector must agree with.
 */
final class PekkoPhiReference {

  /** Pekko's clock type returns milliseconds; this one returns whatever the test set. */
  private static final class ManualClock extends FailureDetector.Clock {
    long millis;

    @Override
    public Object apply() {
      return millis;
    }
  }

  private final ManualClock clock = new ManualClock();
  private final org.apache.pekko.remote.PhiAccrualFailureDetector detector;

  PekkoPhiReference(double threshold, int maxSampleSize, long minStdDeviationMillis,
      long acceptableHeartbeatPauseMillis, long firstHeartbeatEstimateMillis) {
    detector = new org.apache.pekko.remote.PhiAccrualFailureDetector(
        threshold,
        maxSampleSize,
        FiniteDuration.apply(minStdDeviationMillis, TimeUnit.MILLISECONDS),
        FiniteDuration.apply(acceptableHeartbeatPauseMillis, TimeUnit.MILLISECONDS),
        FiniteDuration.apply(firstHeartbeatEstimateMillis, TimeUnit.MILLISECONDS),
        clock);
  }

  void heartbeat(long nowMillis) {
    clock.millis = nowMillis;
    detector.heartbeat();
  }

  double phi(long nowMillis) {
    clock.millis = nowMillis;
    return detector.phi();
  }

  boolean isAvailable(long nowMillis) {
    clock.millis = nowMillis;
    return detector.isAvailable();
  }

  boolean isMonitoring() {
    return detector.isMonitoring();
  }
}
