package dev.failuredetector.cluster;

import java.util.Arrays;
import java.util.List;

/**
 * What a {@link ClusterSimulation} run showed.
 *
 * @param mode overlay or all-to-all
 * @param members members simulated
 * @param observers observers per member (all others for all-to-all)
 * @param seconds simulated seconds counted
 * @param messagesPerMemberPerSecond messages each live member sent, per second, on average
 * @param bytesPerMemberPerSecond their bytes (wire format with tag, plus UDP/IP headers)
 * @param crashes one entry per member crashed
 * @param falseVerdicts verdicts (member confirmed FAILED at a node; for all-to-all, a node's own
 *     FAILED) against members that never crashed nor paused
 * @param falselyFailedMembers distinct members among those
 * @param pausedMembers members paused at some time
 * @param pausedVerdicts verdicts against paused members (their silence outlasted the timeout)
 * @param revivals FAILED members seen ALIVE again (a paused member refuting after it resumed)
 * @param localSuspicionsOfLiveMembers SUSPECTED transitions in the members' own registries of
 *     members that never crashed nor paused: "unreachable from here", not verdicts in the overlay
 * @param refutations refutations made by all members
 * @param messagesLost messages lost or cut by the network
 */
public record SimulationResult(ClusterSimulation.Mode mode, int members, int observers,
    double seconds, double messagesPerMemberPerSecond, double bytesPerMemberPerSecond,
    List<Crash> crashes, long falseVerdicts, int falselyFailedMembers, int pausedMembers,
    long pausedVerdicts, long revivals, long localSuspicionsOfLiveMembers, long refutations,
    long messagesLost) {

  /**
   * The detection of one crash.
   *
   * @param member who crashed
   * @param survivors members alive at the end that could have confirmed it
   * @param detectionNanos for each survivor that confirmed it, how long after the crash (unsorted)
   * @param boundNanos the time within which it should have been: the {@code needed}-th shortest
   *     learned timeout of its observers plus 2 s (all-to-all: the shortest timeout plus the
   *     confirmation time)
   */
  public record Crash(String member, int survivors, long[] detectionNanos, long boundNanos) {

    /** Fraction of survivors that confirmed it. */
    public double confirmedFraction() {
      return survivors == 0 ? 1 : detectionNanos.length / (double) survivors;
    }

    /**
     * The time by which {@code fraction} of the survivors had confirmed it, or {@code
     * Long.MAX_VALUE} if fewer did.
     */
    public long quantileNanos(double fraction) {
      int needed = (int) Math.ceil(fraction * survivors);
      if (needed == 0) {
        return 0;
      }
      if (detectionNanos.length < needed) {
        return Long.MAX_VALUE;
      }
      long[] sorted = detectionNanos.clone();
      Arrays.sort(sorted);
      return sorted[needed - 1];
    }
  }

  /** One line for logs and benchmark tables. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%s n=%d k=%d %.0fs: %.1f msg/s/member, %.0f B/s/member",
        mode, members, observers, seconds, messagesPerMemberPerSecond, bytesPerMemberPerSecond));
    for (Crash c : crashes) {
      long p99 = c.quantileNanos(0.99);
      sb.append(String.format(", crash %s: %.1f%% confirmed, p50 %s p99 %s (bound %.2fs)",
          c.member(), 100 * c.confirmedFraction(), seconds(c.quantileNanos(0.5)), seconds(p99),
          c.boundNanos() / 1e9));
    }
    sb.append(String.format(", false verdicts %d (%d members), paused %d (%d verdicts, %d"
            + " revivals), local suspicions of live members %d, refutations %d",
        falseVerdicts, falselyFailedMembers, pausedMembers, pausedVerdicts, revivals,
        localSuspicionsOfLiveMembers, refutations));
    return sb.toString();
  }

  private static String seconds(long nanos) {
    return nanos == Long.MAX_VALUE ? "never" : String.format("%.2fs", nanos / 1e9);
  }
}
