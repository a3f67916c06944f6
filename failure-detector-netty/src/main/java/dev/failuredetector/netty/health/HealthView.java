package dev.failuredetector.netty.health;

import dev.failuredetector.cluster.MemberState;
import dev.failuredetector.cluster.MemberView;
import java.util.Map;
import java.util.function.Supplier;
import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.NanoClock;
import dev.failuredetector.PeerSnapshot;
import dev.failuredetector.PeerState;
import dev.failuredetector.TransitionReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The health of a registry's peers as a load balancer should see it: each peer's detector verdict,
 * corrected by a {@link MassEjectionGuard}, with a routing weight. The {@link HealthServer} serves
 * it over HTTP and HAProxy's agent protocol; it can also be used directly.
 *
 * <p>Counting suspected peers for the guard reads every peer, so a single-peer answer reuses the
 * count for up to {@code ejectionRefresh} (default 100 ms); {@link #peers()} always counts afresh.
 * Thread-safe; allocates (for health requests, not hot paths).
 */
public final class HealthView {

  /** The routing weight of a peer that is up but late, or held up by the guard. */
  public static final int MIN_WEIGHT_PERCENT = 10;

  private final FailureDetectorRegistry<String> registry;
  /** The overlay's confirmed view of every other member, or null without the overlay. */
  private final Supplier<Map<String, MemberView>> cluster;
  private final java.util.function.IntSupplier localHealth;
  private final MassEjectionGuard guard;
  private final NanoClock clock;
  private final long refreshNanos;
  private volatile CountedStatus cached;

  private record CountedStatus(EjectionStatus status, long atNanos) {}

  private final double readyShare;
  private final long liveTimeoutNanos;

  private HealthView(Builder builder) {
    this.registry = builder.registry;
    this.cluster = builder.cluster;
    this.localHealth = builder.localHealth;
    this.guard = builder.guard;
    this.clock = builder.clock;
    this.refreshNanos = builder.refreshNanos;
    this.readyShare = builder.readyShare;
    this.liveTimeoutNanos = builder.liveTimeoutNanos;
  }

  /**
   * Whether this node is ready for traffic (a Kubernetes readiness probe): it hears at least
   * {@code readyShare} of its peers (AVAILABLE). A node with no peers is ready.
   *
   * @param ready the verdict
   * @param available peers AVAILABLE now
   * @param peers peers registered
   * @param requiredShare the share it needs ({@code readyShare})
   */
  public record Readiness(boolean ready, int available, int peers, double requiredShare) {}

  /**
   * Whether this node's failure detection is alive (a Kubernetes liveness probe): the registry's
   * timer ticked within {@code liveTimeout}. (That the answer comes at all shows the health
   * server's own event loop runs.)
   *
   * @param live the verdict
   * @param nanosSinceLastTick how long ago the timer ticked
   * @param timeoutNanos {@code liveTimeout}
   */
  public record Liveness(boolean live, long nanosSinceLastTick, long timeoutNanos) {}

  /** Readiness now. */
  public Readiness readiness() {
    int available = 0;
    List<PeerSnapshot<String>> snapshots = registry.snapshots();
    for (PeerSnapshot<String> snapshot : snapshots) {
      if (snapshot.state() == dev.failuredetector.PeerState.AVAILABLE) {
        available++;
      }
    }
    boolean ready = snapshots.isEmpty() || available >= Math.ceil(readyShare * snapshots.size());
    return new Readiness(ready, available, snapshots.size(), readyShare);
  }

  /** Liveness now. */
  public Liveness liveness() {
    long since = registry.stats().nanosSinceLastTick();
    return new Liveness(since < liveTimeoutNanos, since, liveTimeoutNanos);
  }

  /**
   * A view of {@code node}'s peers with the default guard: its registry, and with the cluster
   * overlay ({@code observers}) every member, judged by the overlay's confirmed view.
   */
  public static HealthView of(dev.failuredetector.netty.HeartbeatNode node) {
    Builder builder = builder(node.registry());
    if (node.observers() > 0) {
      builder.cluster(node::clusterView).localHealth(node::localHealth);
    }
    return builder.build();
  }

  /** A view of {@code registry} with the default guard ({@link MassEjectionGuard#defaultGuard}). */
  public static HealthView of(FailureDetectorRegistry<String> registry) {
    return builder(registry).build();
  }

  /** A builder for a view of {@code registry}. */
  public static Builder builder(FailureDetectorRegistry<String> registry) {
    return new Builder(registry);
  }

  /** The health of {@code peer}, or empty if it is not registered (or null). */
  public Optional<PeerHealth> peer(String peer) {
    if (peer == null) {
      return Optional.empty();
    }
    MemberView member = cluster == null ? null : cluster.get().get(peer);
    if (member != null) {
      return Optional.of(memberHealth(peer, registry.snapshot(peer).orElse(null), member,
          ejectionStatus()));
    }
    return registry.snapshot(peer).map(snapshot -> healthOf(snapshot, ejectionStatus(),
        shadowOf(peer)));
  }

  /** The health of every registered peer, with a fresh count of suspected peers. */
  public Peers peers() {
    List<PeerSnapshot<String>> snapshots = registry.snapshots();
    Map<String, MemberView> members = cluster == null ? Map.of() : cluster.get();
    EjectionStatus status = statusOf(snapshots, members);
    cached = new CountedStatus(status, clock.nanoTime());
    List<PeerHealth> health = new ArrayList<>(snapshots.size() + members.size());
    for (PeerSnapshot<String> snapshot : snapshots) {
      MemberView member = members.get(snapshot.key());
      health.add(member != null ? memberHealth(snapshot.key(), snapshot, member, status)
          : healthOf(snapshot, status, shadowOf(snapshot.key())));
    }
    for (Map.Entry<String, MemberView> e : members.entrySet()) {
      if (registry.snapshot(e.getKey()).isEmpty()) {
        health.add(memberHealth(e.getKey(), null, e.getValue(), status));
      }
    }
    health.sort((a, b) -> a.peer().compareTo(b.peer()));
    return new Peers(List.copyOf(health), status);
  }

  /** Every peer's health, sorted by id, and the suspected count they were judged with. */
  public record Peers(List<PeerHealth> peers, EjectionStatus ejection) {}

  /** How many peers are suspected, counted at most {@code ejectionRefresh} ago. */
  public EjectionStatus ejectionStatus() {
    long now = clock.nanoTime();
    CountedStatus last = cached;
    if (last == null || now - last.atNanos() >= refreshNanos) {
      last = new CountedStatus(statusOf(registry.snapshots(),
          cluster == null ? Map.of() : cluster.get()), now);
      cached = last;
    }
    return last.status();
  }

  /** The node's local-health score (overlay), or empty. */
  public java.util.OptionalInt localHealth() {
    return localHealth == null ? java.util.OptionalInt.empty()
        : java.util.OptionalInt.of(localHealth.getAsInt());
  }

  FailureDetectorRegistry<String> registry() {
    return registry;
  }

  /** The guard this view applies. */
  public MassEjectionGuard guard() {
    return guard;
  }

  /**
   * Suspected peers among all: with the overlay, members count by the confirmed view (FAILED),
   * the rest (probed targets) by this node's registry.
   */
  private EjectionStatus statusOf(List<PeerSnapshot<String>> snapshots,
      Map<String, MemberView> members) {
    int suspected = 0;
    int total = members.size();
    for (PeerSnapshot<String> snapshot : snapshots) {
      if (members.containsKey(snapshot.key())) {
        continue;
      }
      total++;
      if (isSuspectedFromSilence(snapshot.state(), snapshot.reason())) {
        suspected++;
      }
    }
    for (MemberView member : members.values()) {
      if (member.state() == MemberState.FAILED) {
        suspected++;
      }
    }
    boolean panic = guard.isPanic(suspected, total);
    return new EjectionStatus(suspected, total, panic, panic && guard.holdsUp());
  }

  /**
   * A member with the overlay: up unless the cluster confirmed it failed, whatever this node's
   * own detector says (one observer's silence is a link's fault until others agree); weighted
   * down while this node cannot hear it, by lateness while it can.
   */
  private PeerHealth memberHealth(String id, PeerSnapshot<String> s, MemberView member,
      EjectionStatus status) {
    boolean available = member.state() != MemberState.FAILED;
    boolean heldUp = !available && status.holdingUp();
    int weight;
    if (!available) {
      weight = heldUp ? MIN_WEIGHT_PERCENT : 0;
    } else if (s == null || s.state() == PeerState.UNKNOWN) {
      weight = 100;
    } else if (s.state() == PeerState.AVAILABLE) {
      weight = weightPercent(s.nanosSinceLastHeartbeat(), s.timeoutNanos());
    } else {
      weight = MIN_WEIGHT_PERCENT; // unreachable from here only
    }
    if (s == null) {
      return new PeerHealth(id, PeerState.UNKNOWN, TransitionReason.REGISTERED, available, heldUp,
          status.panic(), weight, java.util.OptionalDouble.empty(), -1, -1, -1, List.of(), false,
          member);
    }
    return new PeerHealth(id, s.state(), s.reason(), available, heldUp, status.panic(), weight,
        s.phi(), s.nanosSinceLastHeartbeat(), s.timeoutNanos(), s.nanosInState(), shadowOf(id),
        true, member);
  }

  private static boolean isSuspectedFromSilence(PeerState state, TransitionReason reason) {
    return state == PeerState.SUSPECTED
        || (state == PeerState.FAILED && reason == TransitionReason.TIMEOUT);
  }

  /** The peer's shadow candidates' results (empty without candidates). */
  private List<dev.failuredetector.qos.ShadowResult> shadowOf(String peer) {
    return registry.plugin(dev.failuredetector.qos.ShadowCandidates.class)
        .map(shadows -> shadows.results(peer)).orElse(List.of());
  }

  private static PeerHealth healthOf(PeerSnapshot<String> s, EjectionStatus status,
      List<dev.failuredetector.qos.ShadowResult> shadow) {
    boolean available = s.state() == PeerState.AVAILABLE;
    boolean heldUp = !available && status.holdingUp() && isSuspectedFromSilence(s.state(), s.reason());
    int weight = available ? weightPercent(s.nanosSinceLastHeartbeat(), s.timeoutNanos())
        : heldUp ? MIN_WEIGHT_PERCENT : 0;
    return new PeerHealth(s.key(), s.state(), s.reason(), available, heldUp, status.panic(),
        weight, s.phi(), s.nanosSinceLastHeartbeat(), s.timeoutNanos(), s.nanosInState(), shadow);
  }

  /** 100 up to half the timeout, then linearly down to the floor at the timeout. */
  static int weightPercent(long sinceLastHeartbeatNanos, long timeoutNanos) {
    if (sinceLastHeartbeatNanos < 0 || timeoutNanos <= 0) {
      return 100;
    }
    double level = (double) sinceLastHeartbeatNanos / timeoutNanos;
    if (level <= 0.5) {
      return 100;
    }
    if (level >= 1) {
      return MIN_WEIGHT_PERCENT;
    }
    double fallen = (level - 0.5) / 0.5 * (100 - MIN_WEIGHT_PERCENT);
    return (int) Math.round(100 - fallen);
  }

  /** Builds a {@link HealthView}; not thread-safe. */
  public static final class Builder {
    private final FailureDetectorRegistry<String> registry;
    private MassEjectionGuard guard = MassEjectionGuard.defaultGuard();
    private NanoClock clock = NanoClock.system();
    private long refreshNanos = Duration.ofMillis(100).toNanos();
    private double readyShare = 0.5;
    private long liveTimeoutNanos = Duration.ofSeconds(5).toNanos();
    private Supplier<Map<String, MemberView>> cluster;
    private java.util.function.IntSupplier localHealth;

    private Builder(FailureDetectorRegistry<String> registry) {
      this.registry = Objects.requireNonNull(registry, "registry must not be null");
    }

    /** The mass-ejection guard; default {@link MassEjectionGuard#defaultGuard()}. */
    public Builder massEjectionGuard(MassEjectionGuard guard) {
      this.guard = Objects.requireNonNull(guard, "massEjectionGuard must not be null");
      return this;
    }

    /**
     * How long a count of suspected peers is reused by single-peer answers; default 100 ms.
     *
     * @throws IllegalArgumentException if negative or above 1 minute
     */
    public Builder ejectionRefresh(Duration refresh) {
      Objects.requireNonNull(refresh, "ejectionRefresh must not be null");
      if (refresh.isNegative() || refresh.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException(
            "ejectionRefresh must be between 0 and 1 minute, got " + refresh);
      }
      this.refreshNanos = refresh.toNanos();
      return this;
    }

    /**
     * The share of its peers a node must hear (AVAILABLE) to be ready ({@code GET /ready}); default
     * 0.5. 0 makes it always ready.
     *
     * @throws IllegalArgumentException if not between 0 and 1
     */
    public Builder readyShare(double share) {
      if (!(share >= 0 && share <= 1)) {
        throw new IllegalArgumentException("readyShare must be between 0 and 1, got " + share);
      }
      this.readyShare = share;
      return this;
    }

    /**
     * How long the registry's timer may go without a tick before the node is not live ({@code GET
     * /live}); default 5 s.
     *
     * @throws IllegalArgumentException if not between 100 ms and 10 minutes
     */
    public Builder liveTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "liveTimeout must not be null");
      if (timeout.compareTo(Duration.ofMillis(100)) < 0
          || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException(
            "liveTimeout must be between 100 ms and 10 minutes, got " + timeout);
      }
      this.liveTimeoutNanos = timeout.toNanos();
      return this;
    }

    /**
     * The cluster overlay's confirmed view of every other member ({@code
     * HeartbeatNode::clusterView}): members are then served from it, up unless confirmed failed.
     */
    public Builder cluster(Supplier<Map<String, MemberView>> views) {
      this.cluster = Objects.requireNonNull(views, "cluster must not be null");
      return this;
    }

    /** The node's local-health score with the overlay ({@code HeartbeatNode::localHealth}). */
    public Builder localHealth(java.util.function.IntSupplier score) {
      this.localHealth = Objects.requireNonNull(score, "localHealth must not be null");
      return this;
    }

    /** The clock of {@code ejectionRefresh}; default {@link NanoClock#system()}. */
    public Builder clock(NanoClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock must not be null");
      return this;
    }

    /** Builds the view. */
    public HealthView build() {
      return new HealthView(this);
    }
  }
}
