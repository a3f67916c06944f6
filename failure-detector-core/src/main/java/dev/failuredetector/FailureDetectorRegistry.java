package dev.failuredetector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Monitors many peers, each with its own detector built from one {@link DetectorSpec}, and tells
 * listeners when a peer's state changes and why.
 *
 * <p><b>States.</b> A registered peer starts {@link PeerState#UNKNOWN UNKNOWN}; its first heartbeat
 * makes it {@link PeerState#AVAILABLE AVAILABLE}; when its detector's deadline passes it becomes
 * {@link PeerState#SUSPECTED SUSPECTED} ({@link TransitionReason#TIMEOUT TIMEOUT}); suspected for
 * longer than the confirmation time, {@link PeerState#FAILED FAILED}. A heartbeat from a suspected
 * or failed peer makes it available again ({@link TransitionReason#RECOVERED RECOVERED}), and when
 * the suspicion came from a timeout it is counted as a mistake; unless the detector's deadline
 * after that heartbeat has already passed (a late heartbeat of an old number): then the suspicion
 * goes on, as the shadow candidates and {@code tune}'s replay count it. {@link MonitoredPeer#markFailed}
 * feeds faster clues (a refused connection, a goodbye, an external signal). A new incarnation,
 * confirmed by its second message, starts a fresh detector ({@link TransitionReason#RESTARTED
 * RESTARTED}). The whole table is in {@code PeerStateMachine}.
 *
 * <p><b>One object per peer.</b> {@link #register} returns the peer's {@link MonitoredPeer}; a
 * transport keeps it and records heartbeats through it, with no lookup by key. The key-based
 * methods here ({@link #heartbeat(Object, long, long, long)}, ...) look the handle up once and do
 * the same.
 *
 * <p><b>Timing.</b> A registry-owned timer thread (daemon, named, stopped by {@link #close()})
 * ticks every {@code tick} (10 ms by default) and makes each transition within one tick of the
 * deadline, without anyone polling ({@code SuspicionTimer}, which also documents how heartbeats
 * and the timer agree without a lock).
 *
 * <p><b>Local pauses.</b> When the timer thread itself ran late by more than {@code
 * localPauseThreshold} (a GC pause, CPU starvation, the process stopped), new suspicions are held
 * for {@code localPauseGrace} so that heartbeats received meanwhile are read first; the pause is
 * counted and logged once ({@code LocalPauseGuard}).
 *
 * <p><b>Threads.</b> Heartbeats may be recorded from any thread, for different peers concurrently;
 * for one peer, from one thread at a time (see {@link MonitoredPeer}). For an available peer that
 * takes no lock and allocates nothing. Listeners run on their own threads ({@link
 * PeerStateListener}). All other methods are thread-safe.
 *
 * <p><b>Untrusted keys.</b> Peers are registered explicitly, at most {@code maxPeers}; a heartbeat
 * for an unknown key (or {@code null}) is counted and dropped, so spoofed ids cannot grow memory.
 *
 * @param <K> the peer key: an immutable type with cheap, well-distributed {@code hashCode} and
 *     {@code equals} (String, a record of address and port, ...)
 */
public final class FailureDetectorRegistry<K> implements AutoCloseable {

  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final int maxPeers;
  private final NanoClock clock;
  private final RegistryPlugin[] plugins;
  private volatile DetectorSpec spec;
  /** The spec's heartbeat interval: {@link #reconfigure} cannot change it. */
  private final long intervalNanos;

  private final PeerIndex<K> peers = new PeerIndex<>();
  private final Object membership = new Object();
  private final RegistryCounters counters = new RegistryCounters();
  private final TransitionPublisher<K> publisher;
  private final PeerTransitions<K> transitions;
  private final LocalPauseGuard pauseGuard;
  private final SuspicionTimer<K> timer;
  private final TickScheduler.Ticking ticking;
  private volatile boolean closed;

  private FailureDetectorRegistry(Builder builder) {
    this.spec = builder.spec;
    this.intervalNanos = builder.spec.interval().toNanos();
    this.maxPeers = builder.maxPeers;
    this.clock = builder.clock;
    this.plugins = builder.plugins.toArray(new RegistryPlugin[0]);
    String name = builder.name != null ? builder.name
        : "failure-detector-" + INSTANCES.incrementAndGet();
    this.publisher = new TransitionPublisher<>(builder.listenerExecutor, name + "-events-",
        builder.listenerQueueCapacity);
    this.transitions = new PeerTransitions<>(publisher);
    this.pauseGuard = new LocalPauseGuard(builder.localPauseThresholdNanos,
        builder.localPauseGraceNanos, clock.nanoTime());
    this.timer = new SuspicionTimer<>(transitions, pauseGuard, clock, builder.tickNanos,
        builder.confirmationNanos);
    try {
      for (RegistryPlugin plugin : plugins) {
        plugin.attach(this);
      }
    } catch (RuntimeException e) {
      publisher.close();
      throw e;
    }
    TickScheduler scheduler = builder.tickScheduler != null ? builder.tickScheduler
        : TickScheduler.daemonThread(name + "-timer");
    this.ticking = scheduler.start(this::tick, builder.tickNanos);
  }

  /** Returns a builder: phi accrual detectors with Pekko's defaults, 10 ms ticks. */
  public static Builder builder() {
    return new Builder();
  }

  // ---- membership ---------------------------------------------------------------------------

  /**
   * Starts monitoring {@code key} (state {@link PeerState#UNKNOWN UNKNOWN}) and returns its
   * handle; if it is already registered, returns the existing handle and changes nothing.
   *
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalStateException if {@code maxPeers} peers are registered, or the registry is
   *     closed
   */
  public MonitoredPeer<K> register(K key) {
    Objects.requireNonNull(key, "key must not be null");
    synchronized (membership) {
      if (closed) {
        throw new IllegalStateException("registry is closed");
      }
      MonitoredPeer<K> existing = peers.get(key);
      if (existing != null) {
        return existing;
      }
      if (peers.size() >= maxPeers) {
        throw new IllegalStateException("maxPeers reached: " + maxPeers
            + " peers are registered; remove one or raise maxPeers to register " + key);
      }
      MonitoredPeer<K> peer = new MonitoredPeer<>(key, this, newDetector(),
          ObserverChain.of(plugins, key), intervalNanos, clock.nanoTime());
      // Lock order: membership, then peer. Publishing inside both keeps a key's REMOVED and a
      // later REGISTERED in order for listeners.
      synchronized (peer) {
        peers.put(peer);
        transitions.registered(peer);
      }
      return peer;
    }
  }

  /**
   * Stops monitoring {@code key}; listeners see a transition to {@link PeerState#REMOVED}, and its
   * handle answers {@link HeartbeatOutcome#UNKNOWN_PEER} from now on.
   *
   * @return false if it was not registered
   */
  public boolean remove(K key) {
    if (key == null) {
      return false;
    }
    MonitoredPeer<K> peer;
    synchronized (membership) {
      peer = peers.remove(key);
      if (peer == null) {
        return false;
      }
      synchronized (peer) {
        peer.markRemoved();
        transitions.removed(peer, clock.nanoTime());
      }
    }
    if (peer.observer() != null) {
      peer.observer().removed();
    }
    timer.requestEvaluation(peer); // the timer takes it out of the wheel
    return true;
  }

  /** Returns whether {@code key} is registered. */
  public boolean contains(K key) {
    return key != null && peers.get(key) != null;
  }

  /** Returns the handle of {@code key}, or empty if it is not registered. */
  public Optional<MonitoredPeer<K>> peer(K key) {
    return Optional.ofNullable(key == null ? null : peers.get(key));
  }

  /** Returns the number of registered peers. */
  public int size() {
    return peers.size();
  }

  // ---- heartbeats by key (one lookup, then the handle) ----------------------------------------

  /** Records a heartbeat from {@code key} now (registry clock). Unknown keys are counted and dropped. */
  public HeartbeatOutcome heartbeat(K key) {
    MonitoredPeer<K> peer = lookup(key);
    return peer == null ? counters.count(HeartbeatOutcome.UNKNOWN_PEER) : peer.heartbeat(clock.nanoTime());
  }

  /** Records heartbeat number {@code sequence} from {@code key}, arrived at {@code nowNanos}. */
  public HeartbeatOutcome heartbeat(K key, long sequence, long nowNanos) {
    MonitoredPeer<K> peer = lookup(key);
    return peer == null ? counters.count(HeartbeatOutcome.UNKNOWN_PEER) : peer.heartbeat(sequence, nowNanos);
  }

  /** See {@link MonitoredPeer#heartbeat(long, long, long)}. */
  public HeartbeatOutcome heartbeat(K key, long incarnation, long sequence, long nowNanos) {
    MonitoredPeer<K> peer = lookup(key);
    return peer == null ? counters.count(HeartbeatOutcome.UNKNOWN_PEER)
        : peer.heartbeat(incarnation, sequence, nowNanos);
  }

  /**
   * See {@link MonitoredPeer#markFailed}.
   *
   * @return true if the peer changed to FAILED; false if unknown or already failed
   * @throws IllegalArgumentException if {@code reason} is not CONNECTION_REFUSED, UNHEALTHY, LEFT
   *     or EXTERNAL
   */
  public boolean markFailed(K key, TransitionReason reason) {
    Objects.requireNonNull(reason, "reason must not be null");
    MonitoredPeer<K> peer = lookup(key);
    if (peer == null) {
      if (reason != TransitionReason.CONNECTION_REFUSED && reason != TransitionReason.UNHEALTHY
          && reason != TransitionReason.LEFT && reason != TransitionReason.EXTERNAL) {
        throw new IllegalArgumentException(
            "reason must be CONNECTION_REFUSED, UNHEALTHY, LEFT or EXTERNAL, got " + reason);
      }
      return false;
    }
    return peer.markFailed(reason);
  }

  private MonitoredPeer<K> lookup(K key) {
    return key == null ? null : peers.get(key);
  }

  // ---- queries ------------------------------------------------------------------------------

  /** Returns the state of {@code key}, or {@link PeerState#REMOVED} if it is not registered. */
  public PeerState state(K key) {
    MonitoredPeer<K> peer = lookup(key);
    return peer == null ? PeerState.REMOVED : peer.state();
  }

  /** Returns whether {@code key} is registered and {@link PeerState#AVAILABLE}. */
  public boolean isAvailable(K key) {
    return state(key) == PeerState.AVAILABLE;
  }

  /** Returns what is known about {@code key} now, or empty if it is not registered. */
  public Optional<PeerSnapshot<K>> snapshot(K key) {
    MonitoredPeer<K> peer = lookup(key);
    return peer == null ? Optional.empty() : Optional.of(peer.snapshot(clock.nanoTime()));
  }

  /** Returns a snapshot of every registered peer (allocates: for health pages, not hot paths). */
  public List<PeerSnapshot<K>> snapshots() {
    long now = clock.nanoTime();
    List<PeerSnapshot<K>> result = new ArrayList<>(peers.size());
    peers.forEach(peer -> result.add(peer.snapshot(now)));
    return result;
  }

  /**
   * Calls {@code action} with the handle of every registered peer (a weakly consistent walk: peers
   * registered or removed meanwhile may be seen or not). For tools and plug-ins that sum over the
   * peers; O(peers).
   */
  public void forEachPeer(java.util.function.Consumer<? super MonitoredPeer<K>> action) {
    Objects.requireNonNull(action, "action must not be null");
    peers.forEach(action);
  }

  /** The registry's counters now, as one snapshot; O(1), whatever the number of peers. */
  public RegistryStats stats() {
    return counters.snapshot(transitions, pauseGuard, timer, publisher, clock.nanoTime());
  }

  // ---- listeners and configuration ------------------------------------------------------------

  /** Adds a listener; it receives the transitions made from now on. */
  public void addListener(PeerStateListener<K> listener) {
    publisher.add(Objects.requireNonNull(listener, "listener must not be null"));
  }

  /** Removes a listener; returns false if it was not added. */
  public boolean removeListener(PeerStateListener<K> listener) {
    return publisher.remove(listener);
  }

  /**
   * The attached plug-in of {@code type} ({@link Builder#plugin}), the first if several are, or
   * empty.
   */
  public <T extends RegistryPlugin> Optional<T> plugin(Class<T> type) {
    Objects.requireNonNull(type, "type must not be null");
    for (RegistryPlugin plugin : plugins) {
      if (type.isInstance(plugin)) {
        return Optional.of(type.cast(plugin));
      }
    }
    return Optional.empty();
  }

  /** The spec new detectors are built from (the builder's, as changed by {@link #reconfigure}). */
  public DetectorSpec spec() {
    return spec;
  }

  /**
   * Changes the tuning setting ({@link DetectorSpec#tuningKey()}: the phi threshold, a margin,
   * Bertier's variance weight, the deadline's pause) of every peer's detector now, keeping their
   * history, and of every detector made later (new peers, restarts). Deadlines are re-evaluated at
   * the next tick.
   *
   * @throws IllegalArgumentException if {@code next} differs from {@link #spec()} in anything
   *     else (the kind, the interval, a window, ...), which live detectors cannot change: the
   *     message names the settings
   */
  public void reconfigure(DetectorSpec next) {
    Objects.requireNonNull(next, "spec must not be null");
    synchronized (membership) {
      LiveTuning.checkChangeable(spec, next);
      spec = next;
      peers.forEach(peer -> {
        synchronized (peer) { // a restart swaps detectors under this monitor: see newDetector
          LiveTuning.apply(next, peer.detector);
        }
        timer.requestEvaluation(peer);
      });
    }
  }

  /**
   * Sets the phi threshold of every peer, now and later: {@link #reconfigure} with the threshold
   * changed.
   *
   * @throws IllegalArgumentException if not a finite number above 0
   * @throws IllegalStateException if the detectors are not phi accrual detectors
   */
  public void setThreshold(double threshold) {
    if (!(spec instanceof DetectorSpec.Phi phi)) {
      throw new IllegalStateException("setThreshold needs phi detectors, this registry makes "
          + spec.kind() + "; use reconfigure(spec.with(\"" + spec.tuningKey() + "\", ...))");
    }
    reconfigure(phi.withThreshold(threshold));
  }

  /** A new detector as the current spec makes it. */
  FailureDetector newDetector() {
    return spec.newDetector(clock);
  }

  /**
   * Caller holds the monitor of the peer {@code fresh} is for: gives it the current spec's tuning.
   * A restart swaps its new detector in under that monitor, and {@link #reconfigure} retunes under
   * it too, so a detector built just before a reconfigure cannot keep the old tuning.
   */
  void retuneIfStale(FailureDetector fresh) {
    LiveTuning.apply(spec, fresh);
  }

  /** The heartbeat interval of every peer's sender, in nanoseconds. */
  long intervalNanos() {
    return intervalNanos;
  }

  RegistryCounters counters() {
    return counters;
  }

  PeerTransitions<K> transitions() {
    return transitions;
  }

  SuspicionTimer<K> timer() {
    return timer;
  }

  /**
   * The registry's clock: heartbeats should be recorded with its times (its deadlines are on
   * it), as {@code HeartbeatNode} does.
   */
  public NanoClock clock() {
    return clock;
  }

  private void tick() {
    if (!closed) {
      timer.tick();
      if (plugins.length > 0) {
        long now = clock.nanoTime();
        for (RegistryPlugin plugin : plugins) {
          plugin.tick(now);
        }
      }
    }
  }

  /**
   * Stops the timer and the listener threads (transitions still queued are not delivered).
   * Heartbeats and queries keep working without timer-driven transitions. Idempotent.
   */
  @Override
  public void close() {
    synchronized (membership) {
      if (closed) {
        return;
      }
      closed = true;
    }
    ticking.stop();
    publisher.close();
    for (RegistryPlugin plugin : plugins) {
      plugin.close();
    }
  }

  @Override
  public String toString() {
    RegistryStats stats = stats();
    return "FailureDetectorRegistry[" + spec + ", peers=" + stats.peersByState() + ", mistakes="
        + stats.mistakes() + ", localPauses=" + stats.localPauses() + "]";
  }

  /**
   * Settings for {@link FailureDetectorRegistry}; each setter checks its value at once. Not
   * thread-safe.
   */
  public static final class Builder {
    private DetectorSpec spec = DetectorSpec.phi();
    private int maxPeers = 10_000;
    private final List<RegistryPlugin> plugins = new ArrayList<>();
    private long tickNanos = Duration.ofMillis(10).toNanos();
    private long confirmationNanos = Duration.ofSeconds(10).toNanos();
    private long localPauseThresholdNanos = Duration.ofMillis(500).toNanos();
    private long localPauseGraceNanos = Duration.ofSeconds(1).toNanos();
    private NanoClock clock = NanoClock.system();
    private TickScheduler tickScheduler;
    private Executor listenerExecutor;
    private int listenerQueueCapacity = 10_000;
    private String name;

    private Builder() {}

    /**
     * The detector every peer gets, for example {@code DetectorSpec.parse("chen:margin=200ms")};
     * default {@link DetectorSpec#phi()} (Pekko's defaults). The detectors' own clocks are not
     * used for heartbeats: the registry passes its times.
     */
    public Builder detector(DetectorSpec spec) {
      this.spec = Preconditions.notNull("detector", spec);
      return this;
    }

    /** The detector spec set so far (the default if none was). */
    public DetectorSpec detector() {
      return spec;
    }

    /**
     * Most peers registered at once; default 10,000.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxPeers(int maxPeers) {
      if (maxPeers < 1) {
        throw new IllegalArgumentException("maxPeers must be >= 1, got " + maxPeers);
      }
      this.maxPeers = maxPeers;
      return this;
    }

    /**
     * Adds a feature ({@link RegistryPlugin}): arrival recording, the interval histogram, shadow
     * candidates, an auto-tuner, or your own. Plug-ins are attached, observe peers and tick in
     * the order they are added. A plug-in instance serves one registry.
     */
    public Builder plugin(RegistryPlugin plugin) {
      Preconditions.notNull("plugin", plugin);
      if (plugins.contains(plugin)) {
        throw new IllegalArgumentException("plugin " + plugin + " is added twice");
      }
      plugins.add(plugin);
      return this;
    }

    /**
     * Timer period: transitions happen within one tick of their deadline; default 10 ms.
     *
     * @throws IllegalArgumentException if below 1 ms or above 1 s
     */
    public Builder tick(Duration tick) {
      Preconditions.notNull("tick", tick);
      if (tick.compareTo(Duration.ofMillis(1)) < 0 || tick.compareTo(Duration.ofSeconds(1)) > 0) {
        throw new IllegalArgumentException("tick must be between 1 ms and 1 s, got " + tick);
      }
      this.tickNanos = tick.toNanos();
      return this;
    }

    /**
     * How long a peer stays suspected before it is declared FAILED; default 10 s.
     *
     * @throws IllegalArgumentException if not above zero and at most one day
     */
    public Builder confirmationTime(Duration confirmationTime) {
      this.confirmationNanos = Preconditions.positiveNanos("confirmationTime", confirmationTime);
      return this;
    }

    /**
     * How late the timer must run to count as a local pause; default 500 ms. Lower catches
     * shorter pauses but may mistake scheduling noise on a busy machine for one.
     *
     * @throws IllegalArgumentException if not above zero and at most one day
     */
    public Builder localPauseThreshold(Duration localPauseThreshold) {
      this.localPauseThresholdNanos =
          Preconditions.positiveNanos("localPauseThreshold", localPauseThreshold);
      return this;
    }

    /**
     * How long new suspicions are held after a local pause; default 1 s; zero disables the guard.
     * Longer lets a backlog of heartbeats drain, but delays detecting a peer that died meanwhile.
     *
     * @throws IllegalArgumentException if negative or more than one day
     */
    public Builder localPauseGrace(Duration localPauseGrace) {
      this.localPauseGraceNanos = Preconditions.nonNegativeNanos("localPauseGrace", localPauseGrace);
      return this;
    }

    /** The clock for heartbeats without a time, deadlines and ticks; default system. */
    public Builder clock(NanoClock clock) {
      this.clock = Preconditions.notNull("clock", clock);
      return this;
    }

    /** What calls the timer tick; default a daemon thread named {@code <name>-timer}. */
    public Builder tickScheduler(TickScheduler tickScheduler) {
      this.tickScheduler = Preconditions.notNull("tickScheduler", tickScheduler);
      return this;
    }

    /**
     * Where listeners run; default a registry-owned pool of daemon threads named {@code
     * <name>-events-N}, shut down by {@link #close()}. Each listener still gets its transitions in
     * order, one at a time.
     */
    public Builder listenerExecutor(Executor listenerExecutor) {
      this.listenerExecutor = Preconditions.notNull("listenerExecutor", listenerExecutor);
      return this;
    }

    /**
     * Transitions queued per listener as they are before further ones are coalesced per peer
     * (see {@link PeerStateListener}); default 10,000.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder listenerQueueCapacity(int listenerQueueCapacity) {
      if (listenerQueueCapacity < 1) {
        throw new IllegalArgumentException(
            "listenerQueueCapacity must be >= 1, got " + listenerQueueCapacity);
      }
      this.listenerQueueCapacity = listenerQueueCapacity;
      return this;
    }

    /** Prefix of the registry's thread names; default {@code failure-detector-N}. */
    public Builder name(String name) {
      this.name = Preconditions.notNull("name", name);
      return this;
    }

    /** Builds and starts a registry. */
    public <K> FailureDetectorRegistry<K> build() {
      return new FailureDetectorRegistry<>(this);
    }
  }
}
