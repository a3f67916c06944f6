package dev.failuredetector.netty.health;

import dev.failuredetector.cluster.MemberState;
import dev.failuredetector.cluster.MemberView;
import dev.failuredetector.PeerState;
import dev.failuredetector.TransitionReason;
import dev.failuredetector.qos.ShadowResult;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The health answer for one peer: what the detector says, and what a load balancer is told.
 *
 * <p>{@link #up()} is {@code available} unless the {@link MassEjectionGuard} holds a suspected
 * peer up during a panic ({@code heldUp}). {@code weightPercent} is the routing weight for HAProxy's
 * agent check: 0 when not up; for a held-up peer the floor, {@value HealthView#MIN_WEIGHT_PERCENT};
 * otherwise 100 while less than half of the detector's timeout has passed since the last
 * heartbeat, then falling linearly to the floor as that time reaches the timeout, so a peer whose
 * heartbeat is late gets less new traffic before it is suspected.
 *
 * @param peer the peer's id
 * @param state its state in the registry
 * @param reason the reason of its last transition
 * @param available whether the detector considers it available
 * @param heldUp whether it is up only because of the mass-ejection guard
 * @param panic whether the guard saw a panic (too many peers suspected) when judging it
 * @param weightPercent routing weight, 0 to 100
 * @param phi the suspicion level, for accrual detectors only (empty for the others), at most
 *     {@value #MAX_PHI}: phi grows without bound while a peer is silent (to infinity, which JSON
 *     cannot carry), and anything that high is certain suspicion; empty when it is not a number
 * @param nanosSinceLastHeartbeat time since the last heartbeat, -1 if none was heard
 * @param timeoutNanos how long after a heartbeat the detector suspects
 * @param nanosInState time since the last transition
 * @param shadow what each shadow candidate would have done on this peer's arrivals (empty when
 *     the registry has none)
 * @param observed whether this node runs a detector on it ({@code state} and the times are this
 *     node's own view); false for a cluster member other nodes observe (then {@code state} is
 *     UNKNOWN)
 * @param cluster the cluster overlay's confirmed view of it, or null without the overlay (or for
 *     a probed target): with the overlay, {@code available} and {@code up} follow this view, not
 *     {@code state}
 */
public record PeerHealth(String peer, PeerState state, TransitionReason reason, boolean available,
    boolean heldUp, boolean panic, int weightPercent, OptionalDouble phi,
    long nanosSinceLastHeartbeat, long timeoutNanos, long nanosInState,
    List<ShadowResult> shadow, boolean observed, MemberView cluster) {

  /** The largest phi shown (JSON, the status page, the demo): beyond it, phi reads as this. */
  public static final double MAX_PHI = 999;

  /** A peer this node observes, without the cluster overlay. */
  public PeerHealth(String peer, PeerState state, TransitionReason reason, boolean available,
      boolean heldUp, boolean panic, int weightPercent, OptionalDouble phi,
      long nanosSinceLastHeartbeat, long timeoutNanos, long nanosInState,
      List<ShadowResult> shadow) {
    this(peer, state, reason, available, heldUp, panic, weightPercent, phi,
        nanosSinceLastHeartbeat, timeoutNanos, nanosInState, shadow, true, null);
  }

  /**
   * With the overlay: this node cannot hear a member its cluster holds alive (its own detector
   * suspects it, or it left it failed): a fault of the link between them, not of the member.
   */
  public boolean unreachableFromHere() {
    return cluster != null && observed && state != PeerState.AVAILABLE
        && state != PeerState.UNKNOWN && cluster.state() != MemberState.FAILED;
  }

  /** Copies {@code shadow}; caps {@code phi} at {@link #MAX_PHI}. */
  public PeerHealth {
    shadow = List.copyOf(shadow);
    if (phi.isPresent() && Double.isNaN(phi.getAsDouble())) {
      phi = OptionalDouble.empty();
    } else if (phi.isPresent() && phi.getAsDouble() > MAX_PHI) {
      phi = OptionalDouble.of(MAX_PHI); // infinity included
    }
  }

  /** Whether a load balancer should route to it: available, or held up by the guard. */
  public boolean up() {
    return available || heldUp;
  }
}
