package dev.failuredetector.benchmarks;

import com.hazelcast.internal.cluster.fd.PhiAccrualFailureDetector;

/** Hazelcast 5.7.0's {@code PhiAccrualFailureDetector}, for QoS replays. */
final class HazelcastPhiPeer extends MillisecondPhiPeer {

  private final PhiAccrualFailureDetector detector;
  private final double threshold;

  HazelcastPhiPeer(double threshold, int maxSampleSize, double minStdDeviationMillis,
      long acceptableHeartbeatPauseMillis, long firstHeartbeatEstimateMillis) {
    this.threshold = threshold;
    this.detector = new PhiAccrualFailureDetector(threshold, maxSampleSize, minStdDeviationMillis,
        acceptableHeartbeatPauseMillis, firstHeartbeatEstimateMillis);
  }

  @Override
  void peerHeartbeat(long millis) {
    detector.heartbeat(millis);
  }

  @Override
  double peerPhi(long millis) {
    return detector.suspicionLevel(millis);
  }

  @Override
  double threshold() {
    return threshold;
  }
}
