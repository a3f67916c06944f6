package dev.failuredetector;

import dev.failuredetector.qos.HeartbeatTrace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

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

  /** The most shadow candidates a registry evaluates. */
  public static final int MAX_SHADOW_CANDIDATES = 8;

  private final int maxPeers;
  private final int recordArrivals;
  private final java.util.List<DetectorSpec> shadowCandidates;
  private final NanoClock clock;
  private final ExecutorService ownedListenerExecutor;
  private volatile DetectorSpec spec;

  private final ConcurrentHashMap<K, MonitoredPeer<K>> peers = new ConcurrentHashMap<>();
  private final Object membership = new Object();
  private final TransitionPublisher<K> publisher;
  private final PeerTransitions<K> transitions;
  private final LocalPauseGuard pauseGuard;
  private final SuspicionTimer<K> timer;
  private final TickScheduler.Ticking ticking;
  private final AutoTuner autoTuner;
  private final IntervalHistogram intervals = new IntervalHistogram();
  private volatile boolean closed;

  // Heartbeat outcomes other than recorded (those are counted per peer: no shared write).
  /** Heartbeats of removed peers; live peers count their own. */
  private final LongAdder heartbeatsOfRemovedPeers = new LongAdder();
  private final LongAdder[] dropped = new LongAdder[HeartbeatOutcome.values().length];

  private FailureDetectorRegistry(Builder builder) {
    this.spec = builder.spec;
    this.maxPeers = builder.maxPeers;
    this.recordArrivals = builder.recordArrivals;
    java.util.List<DetectorSpec> shadows = new java.util.ArrayList<>();
    for (DetectorSpec candidate : builder.shadowCandidates) {
      shadows.add(candidate.withInterval(builder.spec.interval())); // the one heartbeat interval
    }
    if (builder.autoTuneTarget != null) {
      if (shadows.isEmpty()) {
        throw new IllegalArgumentException("autoTune needs shadowCandidates to choose from");
      }
      for (DetectorSpec candidate : shadows) {
        try {
          LiveTuning.checkChangeable(builder.spec, candidate);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("autoTune: shadow candidate " + candidate
              + " differs from the detector " + builder.spec + " in more than "
              + builder.spec.tuningKey() + ": " + e.getMessage(), e);
        }
      }
      if (!shadows.contains(builder.spec)) {
        if (shadows.size() == MAX_SHADOW_CANDIDATES) {
          throw new IllegalArgumentException("autoTune evaluates the active detector too: give"
              + " at most " + (MAX_SHADOW_CANDIDATES - 1) + " other shadowCandidates");
        }
        shadows.add(0, builder.spec);
      }
    }
    this.shadowCandidates = java.util.List.copyOf(shadows);
    this.clock = builder.clock;
    String name = builder.name != null ? builder.name
        : "failure-detector-" + INSTANCES.incrementAndGet();
    Executor listenerExecutor;
    if (builder.listenerExecutor != null) {
      listenerExecutor = builder.listenerExecutor;
      this.ownedListenerExecutor = null;
    } else {
      this.ownedListenerExecutor = Executors.newCachedThreadPool(daemonThreads(name + "-events-"));
      listenerExecutor = ownedListenerExecutor;
    }
    for (int i = 0; i < dropped.length; i++) {
      dropped[i] = new LongAdder();
    }
    this.publisher = new TransitionPublisher<>(listenerExecutor, builder.listenerQueueCapacity);
    this.transitions = new PeerTransitions<>(publisher);
    long now = clock.nanoTime();
    this.pauseGuard = new LocalPauseGuard(builder.localPauseThresholdNanos,
        builder.localPauseGraceNanos, now);
    this.timer = new SuspicionTimer<>(transitions, pauseGuard, clock, builder.tickNanos,
        builder.confirmationNanos);
    this.autoTuner = builder.autoTuneTarget == null ? null : new AutoTuner(this,
        builder.autoTuneTarget.perDay(), builder.autoTuneHeadroom, builder.autoTunePeriodNanos);
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
      MonitoredPeer<K> peer =
          new MonitoredPeer<>(key, this, newDetector(), recordArrivals,
              spec.interval().toNanos(), clock.nanoTime());
      // Lock order: membership, then peer. Publishing inside both keeps a key's REMOVED and a
      // later REGISTERED in order for listeners.
      synchronized (peer) {
        peers.put(key, peer);
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
        peer.removed = true;
        heartbeatsOfRemovedPeers.add(peer.heartbeats());
        transitions.removed(peer, clock.nanoTime());
      }
    }
    timer.requestEvaluation(peer); // the timer takes it out of the wheel
    return true;
  }

  /** Returns whether {@code key} is registered. */
  public boolean contains(K key) {
    return key != null && peers.containsKey(key);
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
    return peer == null ? counted(HeartbeatOutcome.UNKNOWN_PEER) : peer.heartbeat(clock.nanoTime());
  }

  /** Records heartbeat number {@code sequence} from {@code key}, arrived at {@code nowNanos}. */
  public HeartbeatOutcome heartbeat(K key, long sequence, long nowNanos) {
    MonitoredPeer<K> peer = lookup(key);
    return peer == null ? counted(HeartbeatOutcome.UNKNOWN_PEER) : peer.heartbeat(sequence, nowNanos);
  }

  /** See {@link MonitoredPeer#heartbeat(long, long, long)}. */
  public HeartbeatOutcome heartbeat(K key, long incarnation, long sequence, long nowNanos) {
    MonitoredPeer<K> peer = lookup(key);
    return peer == null ? counted(HeartbeatOutcome.UNKNOWN_PEER)
        : peer.heartbeat(incarnation, sequence, nowNanos);
  }

  /**
   * See {@link MonitoredPeer#markFailed}.
   *
   * @return true if the peer changed to FAILED; false if unknown or already failed
   * @throws IllegalArgumentException if {@code reason} is not CONNECTION_REFUSED, LEFT or EXTERNAL
   */
  public boolean markFailed(K key, TransitionReason reason) {
    Objects.requireNonNull(reason, "reason must not be null");
    MonitoredPeer<K> peer = lookup(key);
    if (peer == null) {
      if (reason != TransitionReason.CONNECTION_REFUSED && reason != TransitionReason.LEFT
          && reason != TransitionReason.EXTERNAL) {
        throw new IllegalArgumentException(
            "reason must be CONNECTION_REFUSED, LEFT or EXTERNAL, got " + reason);
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
    for (MonitoredPeer<K> peer : peers.values()) {
      result.add(peer.snapshot(now));
    }
    return result;
  }

  /**
   * The recorded arrivals of {@code key}, as {@link MonitoredPeer#recordedTrace()}.
   *
   * @throws IllegalStateException if recording is off, the peer is not registered, or nothing was
   *     recorded from it yet
   */
  public HeartbeatTrace recordedTrace(K key) {
    MonitoredPeer<K> peer = lookup(key);
    if (peer == null) {
      throw new IllegalStateException("no such peer: " + key);
    }
    return peer.recordedTrace();
  }

  /**
   * The registry's counters now, as one snapshot. Sums a per-peer heartbeat counter, so it costs
   * O(peers): for metrics scrapes and tools, not hot loops.
   */
  public RegistryStats stats() {
    long recorded = heartbeatsOfRemovedPeers.sum();
    for (MonitoredPeer<K> peer : peers.values()) {
      recorded += peer.heartbeats();
    }
    Map<PeerState, Long> byState = new EnumMap<>(PeerState.class);
    for (PeerState state : PeerState.values()) {
      if (state != PeerState.REMOVED) {
        byState.put(state, transitions.peers(state));
      }
    }
    Map<TransitionReason, Long> byReason = new EnumMap<>(TransitionReason.class);
    for (TransitionReason reason : TransitionReason.values()) {
      byReason.put(reason, transitions.transitions(reason));
    }
    return new RegistryStats(recorded, dropped(HeartbeatOutcome.UNKNOWN_PEER),
        dropped(HeartbeatOutcome.COALESCED), dropped(HeartbeatOutcome.STALE_INCARNATION),
        dropped(HeartbeatOutcome.STALE_SEQUENCE),
        dropped(HeartbeatOutcome.IMPLAUSIBLE_SEQUENCE),
        dropped(HeartbeatOutcome.UNCONFIRMED_INCARNATION), byState, byReason, transitions.mistakes(),
        pauseGuard.pauses(), pauseGuard.isHolding(),
        Math.max(0, clock.nanoTime() - timer.lastTickAtNanos()), timer.lastTickLagNanos(),
        timer.maxTickLagNanos(), publisher.coalesced(), publisher.failures());
  }

  private long dropped(HeartbeatOutcome outcome) {
    return dropped[outcome.ordinal()].sum();
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

  /** The spec new detectors are built from (the builder's, as changed by {@link #reconfigure}). */
  /** The shadow candidates, each with the registry's interval (empty when none were set). */
  public java.util.List<DetectorSpec> shadowCandidates() {
    return shadowCandidates;
  }

  /**
   * Each shadow candidate's results summed over the registered peers: mistakes added up, mean
   * detection time weighted by heartbeats (one walk over the peers, allocating only the result;
   * empty without candidates).
   */
  public java.util.List<ShadowResult> shadowTotals() {
    int n = shadowCandidates.size();
    long[] heartbeats = new long[n];
    long[] mistakes = new long[n];
    double[] detection = new double[n];
    for (MonitoredPeer<K> peer : peers.values()) {
      ShadowEvaluation shadow = peer.shadow();
      if (shadow != null) {
        shadow.addTo(heartbeats, mistakes, detection); // sums of timeouts, divided below
      }
    }
    java.util.List<ShadowResult> totals = new java.util.ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      totals.add(new ShadowResult(shadowCandidates.get(i), heartbeats[i], mistakes[i],
          heartbeats[i] == 0 ? Double.NaN : detection[i] / heartbeats[i]));
    }
    return totals;
  }

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
      for (MonitoredPeer<K> peer : peers.values()) {
        synchronized (peer) { // a restart swaps detectors under this monitor: see newDetector
          LiveTuning.apply(next, peer.detector);
        }
        timer.requestEvaluation(peer);
      }
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
    Preconditions.positiveFinite("threshold", threshold);
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

  HeartbeatOutcome counted(HeartbeatOutcome outcome) {
    dropped[outcome.ordinal()].increment();
    return outcome;
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
      if (autoTuner != null) {
        autoTuner.maybeEvaluate(clock.nanoTime());
      }
    }
  }

  /**
   * The distribution of heartbeat intervals over every peer (the time between two accepted
   * heartbeats of one peer; a restart's first heartbeat starts afresh).
   */
  public IntervalHistogram intervals() {
    return intervals;
  }

  /** Changes the auto-tuning policy made so far (0 without {@code autoTune}). */
  public long autoTuneChanges() {
    return autoTuner == null ? 0 : autoTuner.changes();
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
    if (ownedListenerExecutor != null) {
      ownedListenerExecutor.shutdownNow();
    }
  }

  @Override
  public String toString() {
    RegistryStats stats = stats();
    return "FailureDetectorRegistry[" + spec + ", peers=" + stats.peersByState() + ", mistakes="
        + stats.mistakes() + ", localPauses=" + stats.localPauses() + "]";
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * Settings for {@link FailureDetectorRegistry}; each setter checks its value at once. Not
   * thread-safe.
   */
  public static final class Builder {
    private DetectorSpec spec = DetectorSpec.phi();
    private int maxPeers = 10_000;
    private int recordArrivals;
    private java.util.List<DetectorSpec> shadowCandidates = java.util.List.of();
    private dev.failuredetector.qos.QosTarget.MaxMistakesPerDay autoTuneTarget;
    private double autoTuneHeadroom;
    private long autoTunePeriodNanos;
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
     * Evaluate these detectors alongside the active one, on every peer's live arrivals (opt-in;
     * default none): for each, the mistakes it would have made and its mean detection time
     * ({@link MonitoredPeer#shadowResults()}, {@link #shadowTotals()}, the Micrometer meters
     * {@code failure.detector.shadow.*}), with no trace stored. Each gets the registry's
     * heartbeat interval. Costs one detector per candidate per peer and a few nanoseconds per
     * heartbeat per candidate (BENCHMARKS.md); at most {@value #MAX_SHADOW_CANDIDATES}.
     *
     * @throws IllegalArgumentException if more than {@value #MAX_SHADOW_CANDIDATES}
     */
    public Builder shadowCandidates(java.util.List<DetectorSpec> candidates) {
      Objects.requireNonNull(candidates, "shadowCandidates must not be null");
      if (candidates.size() > MAX_SHADOW_CANDIDATES) {
        throw new IllegalArgumentException("shadowCandidates must be at most "
            + MAX_SHADOW_CANDIDATES + ", got " + candidates.size());
      }
      for (DetectorSpec candidate : candidates) {
        Objects.requireNonNull(candidate, "shadowCandidates must not contain null");
      }
      this.shadowCandidates = java.util.List.copyOf(candidates);
      return this;
    }

    /**
     * Auto-tuning (opt-in): every {@code period}, make the fastest of the {@linkplain
     * #shadowCandidates shadow candidates} shown to meet {@code target} over the recent periods (the shortest horizon that can
     * show the budget, and half again: 2.2 h for 100/day at headroom 2 and 10-minute periods, at
     * most 288 periods)
     * the active spec (its 95% upper bound kept {@code headroom} times below the budget, and no
     * period worse than chance at the budget), with hysteresis: a faster one must detect at
     * least 10% sooner and be the pick twice in a row; the active one gives way at once when it
     * breaks the budget by more than chance. Until the counts can show a rate within the budget
     * (about 3 x headroom / budget days: 1.4 h for 100 a day and headroom 2), nothing changes. Each change is logged at INFO and counted ({@link #autoTuneChanges()},
     * the metric {@code failure.detector.autotune.changes}). The candidates may differ from the
     * detector spec in its tuning setting only (a change keeps the peers' history); the detector
     * spec is evaluated too, as a candidate.
     *
     * @param target a mistake budget, {@link dev.failuredetector.qos.QosTarget#maxMistakesPerDay}
     * @param headroom at least 1; {@code tune}'s default is 2
     * @param period at least 1 s; 10 minutes makes the six periods an hour
     * @throws IllegalArgumentException if target is not a mistake budget, or headroom or period
     *     is out of range
     */
    public Builder autoTune(dev.failuredetector.qos.QosTarget target, double headroom,
        Duration period) {
      Objects.requireNonNull(target, "target must not be null");
      Objects.requireNonNull(period, "period must not be null");
      if (!(target instanceof dev.failuredetector.qos.QosTarget.MaxMistakesPerDay budget)) {
        throw new IllegalArgumentException("autoTune takes a mistake budget"
            + " (QosTarget.maxMistakesPerDay), got " + target);
      }
      if (!(headroom >= 1) || Double.isInfinite(headroom)) {
        throw new IllegalArgumentException("headroom must be a finite number >= 1, got "
            + headroom);
      }
      if (period.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("autoTune period must be at least 1s, got " + period);
      }
      this.autoTuneTarget = budget;
      this.autoTuneHeadroom = headroom;
      this.autoTunePeriodNanos = period.toNanos();
      return this;
    }

    /**
     * Keep the last {@code heartbeats} arrivals of each peer in memory (16 bytes each) for tuning
     * ({@link MonitoredPeer#recordedTrace()}); default 0 (off). 100,000 covers a day at one
     * heartbeat a second.
     *
     * @throws IllegalArgumentException if negative or above 10,000,000
     */
    public Builder recordArrivals(int heartbeats) {
      if (heartbeats < 0 || heartbeats > 10_000_000) {
        throw new IllegalArgumentException(
            "recordArrivals must be between 0 and 10,000,000, got " + heartbeats);
      }
      this.recordArrivals = heartbeats;
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
