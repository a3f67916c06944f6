package dev.failuredetector.benchmarks;

import java.util.concurrent.TimeUnit;
import org.apache.pekko.remote.FailureDetector;
import org.apache.pekko.remote.PhiAccrualFailureDetector;
import scala.concurrent.duration.FiniteDuration;

/** Pekko 1.7.0's {@code PhiAccrualFailureDetector}, for QoS replays. */
final class PekkoPhiPeer extends MillisecondPhiPeer {

  /** Pekko reads time from its clock; this one returns what the adapter set. */
  private static final class ManualClock extends FailureDetector.Clock {
    long millis;

    @Override
    public Object apply() {
      return millis;
    }
  }

  private final ManualClock clock = new ManualClock();
  private final PhiAccrualFailureDetector detector;
  private final double threshold;

  PekkoPhiPeer(double threshold, int maxSampleSize, long minStdDeviationMillis,
      long acceptableHeartbeatPauseMillis, long firstHeartbeatEstimateMillis) {
    this.threshold = threshold;
    this.detector = new PhiAccrualFailureDetector(threshold, maxSampleSize,
        FiniteDuration.apply(minStdDeviationMillis, TimeUnit.MILLISECONDS),
        FiniteDuration.apply(acceptableHeartbeatPauseMillis, TimeUnit.MILLISECONDS),
        FiniteDuration.apply(firstHeartbeatEstimateMillis, TimeUnit.MILLISECONDS), clock);
  }

  @Override
  void peerHeartbeat(long millis) {
    clock.millis = millis;
    detector.heartbeat();
  }

  @Override
  double peerPhi(long millis) {
    clock.millis = millis;
    return detector.phi();
  }

  @Override
  double threshold() {
    return threshold;
  }
}
