package dev.failuredetector.spring.boot.health;

import dev.failuredetector.PeerState;
import dev.failuredetector.TransitionReason;
import dev.failuredetector.netty.HeartbeatNode;
import dev.failuredetector.netty.ProbeStats;
import dev.failuredetector.netty.health.EjectionStatus;
import dev.failuredetector.netty.health.HealthView;
import dev.failuredetector.netty.health.PeerHealth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What the actuator's {@code failureDetector} health contributor shows, independent of the Spring
 * Boot line that shows it (Boot 3's {@code org.springframework.boot.actuate.health} and Boot 4's
 * {@code org.springframework.boot.health} adapt it). Three parts:
 *
 * <ul>
 *   <li>{@code node}: this node itself, UP while its failure detection runs (the timer ticks),
 *       with its id, address, detector, readiness and the mass-ejection status;
 *   <li>{@code peers}: one component per peer, named by its id;
 *   <li>{@code probes}: one component per probed target, named by its id.
 * </ul>
 *
 * <p>A peer's or target's status: {@code UP} when a load balancer should route to it (AVAILABLE,
 * or held up by the mass-ejection guard during a panic); {@code UNKNOWN} before it was first
 * heard; {@code LEFT} after its goodbye (FAILED for the reason LEFT) (a status Spring's aggregation ignores: a peer that left
 * on purpose is not a fault of this application); otherwise, SUSPECTED or FAILED, the configured
 * {@code peerDownStatus} ({@code DOWN} by default). Details: {@code state}, {@code reason},
 * {@code phi} (accrual detectors), {@code timeoutMs}, {@code sinceLastHeartbeatMs}, {@code
 * inStateMs}, {@code weightPercent}, and with the overlay {@code cluster} (the confirmed view).
 *
 * <p>Thread-safe: every call reads the node afresh.
 */
public final class FailureDetectorHealth {

  /** The status of a peer that said goodbye. */
  public static final String LEFT = "LEFT";

  /**
   * One component: a status code (Spring's {@code UP}, {@code DOWN}, {@code UNKNOWN}, or {@link
   * #LEFT}, or the configured down status) and its details, in a stable order.
   *
   * @param status the status code
   * @param details the details, values being strings, numbers, booleans or maps of them
   */
  public record Component(String status, Map<String, Object> details) {}

  private final HeartbeatNode node;
  private final HealthView view;
  private final String peerDownStatus;

  /**
   * @param node the application's node
   * @param view the view of it the health is judged by (its mass-ejection guard)
   * @param peerDownStatus the status of a suspected or failed peer
   */
  public FailureDetectorHealth(HeartbeatNode node, HealthView view, String peerDownStatus) {
    this.node = Objects.requireNonNull(node, "node");
    this.view = Objects.requireNonNull(view, "view");
    if (peerDownStatus == null || peerDownStatus.isBlank()) {
      throw new IllegalArgumentException(
          "failure-detector.health.peer-down-status must not be blank");
    }
    this.peerDownStatus = peerDownStatus.trim().toUpperCase(java.util.Locale.ROOT);
  }

  /** The node component. */
  public Component node() {
    HealthView.Liveness liveness = view.liveness();
    HealthView.Readiness readiness = view.readiness();
    EjectionStatus ejection = view.ejectionStatus();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("id", node.localId());
    java.net.InetSocketAddress address = node.localAddress();
    details.put("address", address.getHostString() + ":" + address.getPort());
    details.put("transport", node.transport().name().toLowerCase(java.util.Locale.ROOT));
    details.put("incarnation", node.incarnation());
    details.put("detector", node.registry().spec().toString());
    // Readiness counts peers and probed targets alike: "monitored" says so.
    details.put("ready", readiness.ready());
    details.put("available", readiness.available());
    details.put("monitored", readiness.peers());
    Map<String, Object> massEjection = new LinkedHashMap<>();
    massEjection.put("suspected", ejection.suspected());
    massEjection.put("of", ejection.peers());
    massEjection.put("panic", ejection.panic());
    massEjection.put("holdingUp", ejection.holdingUp());
    details.put("massEjection", massEjection);
    view.localHealth().ifPresent(score -> details.put("localHealth", score));
    details.put("sinceLastTickMs", millis(liveness.nanosSinceLastTick()));
    return new Component(liveness.live() ? "UP" : "DOWN", details);
  }

  /** The part with this node's own health. */
  public static final String NODE = "node";
  /** The part with one component per peer. */
  public static final String PEERS = "peers";
  /** The part with one component per probed target. */
  public static final String PROBES = "probes";

  /** The parts there are now: {@link #NODE}, then {@link #PEERS} and {@link #PROBES} if any. */
  public List<String> parts() {
    boolean peers = false;
    boolean probes = false;
    for (PeerHealth peer : view.peers().peers()) {
      if (node.probeStats(peer.peer()).isPresent()) {
        probes = true;
      } else {
        peers = true;
      }
    }
    List<String> parts = new ArrayList<>(3);
    parts.add(NODE);
    if (peers) {
      parts.add(PEERS);
    }
    if (probes) {
      parts.add(PROBES);
    }
    return parts;
  }

  /** The ids in {@code part} ({@link #PEERS} or {@link #PROBES}; none in another), sorted. */
  public List<String> members(String part) {
    List<String> ids = new ArrayList<>();
    if (PEERS.equals(part) || PROBES.equals(part)) {
      boolean probes = PROBES.equals(part);
      for (PeerHealth peer : view.peers().peers()) { // sorted by id
        if (node.probeStats(peer.peer()).isPresent() == probes) {
          ids.add(peer.peer());
        }
      }
    }
    return ids;
  }

  /** Whether {@code id} is in {@code part} now (one lookup, not a listing). */
  public boolean isMember(String part, String id) {
    boolean probe = node.probeStats(id).isPresent();
    return PROBES.equals(part) ? probe : PEERS.equals(part) && !probe && view.peer(id).isPresent();
  }

  /** The component of peer or probed target {@code id}, or empty if there is none. */
  public Optional<Component> component(String id) {
    Optional<PeerHealth> health = view.peer(id);
    if (health.isEmpty()) {
      return Optional.empty();
    }
    PeerHealth peer = health.get();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("state", peer.state().name());
    details.put("reason", peer.reason().name());
    peer.phi().ifPresent(phi -> details.put("phi", Math.round(phi * 100) / 100.0));
    details.put("timeoutMs", millis(peer.timeoutNanos()));
    if (peer.nanosSinceLastHeartbeat() >= 0) {
      details.put("sinceLastHeartbeatMs", millis(peer.nanosSinceLastHeartbeat()));
    }
    details.put("inStateMs", millis(peer.nanosInState()));
    details.put("weightPercent", peer.weightPercent());
    if (peer.heldUp()) {
      details.put("heldUp", true);
    }
    if (peer.cluster() != null) {
      details.put("cluster", peer.cluster().state().name());
    }
    node.probeStats(id).ifPresent(probe -> probeDetails(probe, details));
    return Optional.of(new Component(status(peer), details));
  }

  private String status(PeerHealth peer) {
    if (peer.up()) {
      return "UP";
    }
    if (peer.state() == PeerState.FAILED && peer.reason() == TransitionReason.LEFT
        && peer.cluster() == null) {
      return LEFT;
    }
    if (peer.state() == PeerState.UNKNOWN && peer.cluster() == null) {
      return "UNKNOWN";
    }
    return peerDownStatus;
  }

  private static void probeDetails(ProbeStats probe, Map<String, Object> details) {
    details.put("target", probe.target().toString());
    details.put("sent", probe.sent());
    details.put("answered", probe.answered());
    details.put("late", probe.late());
    details.put("refused", probe.refused());
    details.put("unhealthy", probe.unhealthy());
    if (probe.lastStatus() > 0) {
      details.put("lastHttpStatus", probe.lastStatus());
    }
  }

  private List<String> ids(boolean probes) {
    List<String> ids = new ArrayList<>();
    for (PeerHealth peer : view.peers().peers()) { // sorted by id
      if (node.probeStats(peer.peer()).isPresent() == probes) {
        ids.add(peer.peer());
      }
    }
    return ids;
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
