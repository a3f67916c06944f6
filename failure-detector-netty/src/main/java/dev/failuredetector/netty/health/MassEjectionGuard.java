package dev.failuredetector.netty.health;

/**
 * A guard against mass ejection, like Envoy's panic threshold: when more than {@code
 * maxSuspectedShare} of the monitored peers are suspected at once, the cause is more likely on
 * this side (this node's network, a switch, a GC storm) than a simultaneous crash of most of the
 * cluster, and a load balancer that removed them all would leave nothing to serve.
 *
 * <p>While the share is exceeded the health answers say so ({@code "panic": true} in the JSON),
 * and in {@linkplain #holdingUp holding-up} mode the suspected peers are still reported up, at the
 * lowest routing weight. Only suspicion inferred from silence counts: peers {@code SUSPECTED}, or
 * {@code FAILED} by {@code TIMEOUT}. A peer that said goodbye ({@code LEFT}), refused a connection
 * or was marked failed by an external signal is known to be down: it neither counts nor is held
 * up. The guard acts only when at least {@code minPeers} peers are registered (with two peers one
 * suspicion is already half).
 *
 * <p>Immutable and thread-safe.
 */
public final class MassEjectionGuard {

  private static final MassEjectionGuard OFF = new MassEjectionGuard(1.0, Integer.MAX_VALUE, false);

  private final double maxSuspectedShare;
  private final int minPeers;
  private final boolean holdUp;

  private MassEjectionGuard(double maxSuspectedShare, int minPeers, boolean holdUp) {
    this.maxSuspectedShare = maxSuspectedShare;
    this.minPeers = minPeers;
    this.holdUp = holdUp;
  }

  /**
   * Reports a panic when more than {@code maxSuspectedShare} of at least {@code minPeers} peers
   * are suspected, but still reports the suspected peers down.
   *
   * @throws IllegalArgumentException unless {@code 0 < maxSuspectedShare < 1} and {@code minPeers >= 1}
   */
  public static MassEjectionGuard reportOnly(double maxSuspectedShare, int minPeers) {
    return new MassEjectionGuard(checkShare(maxSuspectedShare), checkMinPeers(minPeers), false);
  }

  /**
   * Like {@link #reportOnly}, and while the share is exceeded reports the suspected peers up (at
   * the lowest weight), as Envoy routes to all hosts in panic mode.
   *
   * @throws IllegalArgumentException unless {@code 0 < maxSuspectedShare < 1} and {@code minPeers >= 1}
   */
  public static MassEjectionGuard holdingUp(double maxSuspectedShare, int minPeers) {
    return new MassEjectionGuard(checkShare(maxSuspectedShare), checkMinPeers(minPeers), true);
  }

  /** No guard: every suspected peer is reported down, and no panic is ever reported. */
  public static MassEjectionGuard off() {
    return OFF;
  }

  /** The default of {@link HealthView}: report a panic above half of at least 3 peers. */
  public static MassEjectionGuard defaultGuard() {
    return reportOnly(0.5, 3);
  }

  /** Whether {@code suspected} of {@code peers} registered peers is a panic. */
  public boolean isPanic(int suspected, int peers) {
    return peers >= minPeers && suspected > maxSuspectedShare * peers;
  }

  /** The share of suspected peers above which the guard acts, in (0, 1]; 1 when off. */
  public double maxSuspectedShare() {
    return maxSuspectedShare;
  }

  /** The fewest registered peers for which the guard acts. */
  public int minPeers() {
    return minPeers;
  }

  /** Whether suspected peers are reported up during a panic. */
  public boolean holdsUp() {
    return holdUp;
  }

  @Override
  public String toString() {
    return this == OFF ? "MassEjectionGuard[off]"
        : "MassEjectionGuard[" + (holdUp ? "holding up" : "report only") + " above "
            + maxSuspectedShare + " of at least " + minPeers + " peers]";
  }

  private static double checkShare(double share) {
    if (!(share > 0 && share < 1)) {
      throw new IllegalArgumentException("maxSuspectedShare must be > 0 and < 1, got " + share);
    }
    return share;
  }

  private static int checkMinPeers(int minPeers) {
    if (minPeers < 1) {
      throw new IllegalArgumentException("minPeers must be at least 1, got " + minPeers);
    }
    return minPeers;
  }
}
