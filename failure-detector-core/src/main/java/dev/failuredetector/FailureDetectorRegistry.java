package dev.failuredetector;

import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Monitors many peers, each with its own detector built from one specification, and tells
 * listeners when a peer's state changes and why.
 *
 * <p><b>States.</b> A registered peer starts {@link PeerState#UNKNOWN UNKNOWN}; its first heartbeat
 * makes it {@link PeerState#AVAILABLE AVAILABLE}; when its detector's deadline passes it becomes
 * {@link PeerState#SUSPECTED SUSPECTED} ({@link TransitionReason#TIMEOUT TIMEOUT}); suspected for
 * longer than the confirmation time, {@link PeerState#FAILED FAILED}. A heartbeat from a suspected
 * or failed peer makes it available again ({@link TransitionReason#RECOVERED RECOVERED}), and when
 * the suspicion came from a timeout it is counted as a mistake. {@link #markFailed} feeds faster
 * clues (a refused connection, a goodbye, an external signal). A heartbeat with a higher
 * incarnation starts a fresh detector ({@link TransitionReason#RESTARTED RESTARTED}).
 *
 * <p><b>Timing.</b> A registry-owned timer thread (daemon, named, stopped by {@link #close()})
 * ticks every {@code tick} (10 ms by default) and makes each transition within one tick of the
 * deadline, without anyone polling. Peers wait in a timing wheel keyed by their deadline, so a
 * tick with nothing due costs the same for 10 or 100,000 peers; heartbeats do not touch the wheel
 * (an entry that comes due re-reads the detector's current deadline).
 *
 * <p><b>Local pauses.</b> When the timer thread itself ran late by more than {@code
 * localPauseThreshold} (a GC pause, CPU starvation, the process stopped), the time it was frozen
 * is not the peers' fault, and heartbeats that arrived meanwhile may still be queued unread. The
 * registry then holds every new suspicion for {@code localPauseGrace}, counts the pause and logs
 * it once.
 *
 * <p><b>Threads.</b> {@code heartbeat} may be called from any thread, for different peers
 * concurrently; for one peer, heartbeats should come from one thread at a time (one event loop),
 * and a heartbeat that arrives while another for the same peer is being recorded is dropped and
 * counted ({@link #heartbeatsCoalesced()}) rather than waited for. For a registered peer it takes
 * no lock and allocates nothing unless the peer changes state. Listeners run on their own threads
 * ({@link PeerStateListener}). All other methods are thread-safe.
 *
 * <p><b>Untrusted keys.</b> Peers are registered explicitly, at most {@code maxPeers}; a heartbeat
 * for an unknown key (or {@code null}) is counted ({@link #heartbeatsUnknown()}) and dropped, so
 * spoofed ids cannot grow memory.
 *
 * @param <K> the peer key: an immutable type with cheap, well-distributed {@code hashCode} and
 *     {@code equals} (String, a record of address and port, ...)
 */
public final class FailureDetectorRegistry<K> implements AutoCloseable {

  /*
   * Concurrency design
   * - Heartbeat path: map lookup, per-peer writer guard (a CAS that never waits), detector
   *   heartbeat, full fence, volatile read of the state. Only if the peer is not AVAILABLE does it
   *   take the peer's monitor to make a transition.
   * - Timer: to suspect, it takes the monitor, writes SUSPECTED, fences, and re-reads the detector's
   *   deadline; if a heartbeat slipped in it reverts silently. With the heartbeat path's fence this
   *   is Dekker's pattern: either the timer sees the new deadline or the heartbeat sees SUSPECTED
   *   (and recovers it), never neither.
   * - A heartbeat that moves a deadline earlier than the wheel entry (the timeout shrank) asks the
   *   timer to re-evaluate the peer through a queue, so suspicion is never late by more than a tick.
   */

  private static final System.Logger LOG = System.getLogger(FailureDetectorRegistry.class.getName());
  private static final int WHEEL_BUCKETS = 4096;
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final Supplier<? extends FailureDetector> detectorSpec;
  private final boolean accrual;
  private final String detectorType;
  private final int maxPeers;
  private final long tickNanos;
  private final long confirmationNanos;
  private final long localPauseThresholdNanos;
  private final long localPauseGraceNanos;
  private final NanoClock clock;
  private final int listenerQueueCapacity;
  private final Executor listenerExecutor;
  private final ExecutorService ownedListenerExecutor;

  private final ConcurrentHashMap<K, Peer<K>> peers = new ConcurrentHashMap<>();
  private final Object membership = new Object();
  private final CopyOnWriteArrayList<Consumer<? super FailureDetector>> configurators =
      new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<ListenerDelivery<K>> listeners = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Peer<K>> evaluationRequests = new ConcurrentLinkedQueue<>();

  // Timer thread state.
  private final TimerWheel wheel;
  private final TimerWheel.Expiry evaluateOnExpiry = this::evaluate;
  private long lastTickNanos;
  private long holdSuspicionsUntilNanos;
  private volatile boolean holdingSuspicions;

  // Counters.
  /** Heartbeats of removed peers; live peers count their own (see heartbeatsReceived()). */
  private final LongAdder heartbeatsOfRemovedPeers = new LongAdder();
  private final LongAdder heartbeatsUnknown = new LongAdder();
  private final LongAdder heartbeatsCoalesced = new LongAdder();
  private final LongAdder heartbeatsStaleIncarnation = new LongAdder();
  private final LongAdder mistakes = new LongAdder();
  private final LongAdder localPauses = new LongAdder();
  private final LongAdder listenerDrops = new LongAdder();
  private final LongAdder listenerFailures = new LongAdder();
  private final AtomicLong[] peersByState = new AtomicLong[PeerState.values().length];
  private final LongAdder[] transitionsByReason = new LongAdder[TransitionReason.values().length];
  private volatile long lastTickLagNanos;
  private volatile long maxTickLagNanos;

  private final TickScheduler.Ticking ticking;
  private volatile boolean closed;

  private FailureDetectorRegistry(Builder builder, FailureDetector probe) {
    this.detectorSpec = builder.detectorSpec;
    this.accrual = probe instanceof AccrualFailureDetector;
    this.detectorType = probe.getClass().getSimpleName();
    this.maxPeers = builder.maxPeers;
    this.tickNanos = builder.tickNanos;
    this.confirmationNanos = builder.confirmationNanos;
    this.localPauseThresholdNanos = builder.localPauseThresholdNanos;
    this.localPauseGraceNanos = builder.localPauseGraceNanos;
    this.clock = builder.clock;
    this.listenerQueueCapacity = builder.listenerQueueCapacity;
    String name = builder.name != null ? builder.name
        : "failure-detector-" + INSTANCES.incrementAndGet();
    if (builder.listenerExecutor != null) {
      this.listenerExecutor = builder.listenerExecutor;
      this.ownedListenerExecutor = null;
    } else {
      this.ownedListenerExecutor = Executors.newCachedThreadPool(daemonThreads(name + "-events-"));
      this.listenerExecutor = ownedListenerExecutor;
    }
    for (int i = 0; i < peersByState.length; i++) {
      peersByState[i] = new AtomicLong();
    }
    for (int i = 0; i < transitionsByReason.length; i++) {
      transitionsByReason[i] = new LongAdder();
    }
    long now = clock.nanoTime();
    this.wheel = new TimerWheel(WHEEL_BUCKETS, tickNanos, now);
    this.lastTickNanos = now;
    this.holdSuspicionsUntilNanos = now;
    TickScheduler scheduler = builder.tickScheduler != null ? builder.tickScheduler
        : TickScheduler.daemonThread(name + "-timer");
    this.ticking = scheduler.start(this::tick, tickNanos);
  }

  /** Returns a builder: phi accrual detectors with Pekko's defaults, 10 ms ticks. */
  public static Builder builder() {
    return new Builder();
  }

  // ---- membership ---------------------------------------------------------------------------

  /**
   * Starts monitoring {@code key} (state {@link PeerState#UNKNOWN UNKNOWN}).
   *
   * @return false if it was already registered (nothing changes)
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalStateException if {@code maxPeers} peers are registered, or the registry is
   *     closed
   */
  public boolean register(K key) {
    Objects.requireNonNull(key, "key must not be null");
    Peer<K> peer;
    synchronized (membership) {
      if (closed) {
        throw new IllegalStateException("registry is closed");
      }
      if (peers.containsKey(key)) {
        return false;
      }
      if (peers.size() >= maxPeers) {
        throw new IllegalStateException("maxPeers reached: " + maxPeers
            + " peers are registered; remove one or raise maxPeers to register " + key);
      }
      peer = new Peer<>(key, newDetector(), clock.nanoTime());
      // Lock order: membership, then peer. Recording inside both keeps a key's REMOVED and a
      // later REGISTERED in order for listeners.
      synchronized (peer) {
        peers.put(key, peer);
        peersByState[PeerState.UNKNOWN.ordinal()].incrementAndGet();
        record(new PeerTransition<>(key, PeerState.REMOVED, PeerState.UNKNOWN,
            TransitionReason.REGISTERED, peer.stateSinceNanos, false));
      }
    }
    return true;
  }

  /**
   * Stops monitoring {@code key}; listeners see a transition to {@link PeerState#REMOVED}.
   *
   * @return false if it was not registered
   */
  public boolean remove(K key) {
    if (key == null) {
      return false;
    }
    Peer<K> peer;
    synchronized (membership) {
      peer = peers.remove(key);
      if (peer == null) {
        return false;
      }
      synchronized (peer) {
        PeerState from = peer.state;
        peer.removed = true;
        heartbeatsOfRemovedPeers.add(peer.heartbeats());
        peersByState[from.ordinal()].decrementAndGet();
        record(new PeerTransition<>(key, from, PeerState.REMOVED, TransitionReason.REMOVED,
            clock.nanoTime(), false));
      }
    }
    requestEvaluation(peer); // the timer takes it out of the wheel
    return true;
  }

  /** Returns whether {@code key} is registered. */
  public boolean contains(K key) {
    return key != null && peers.containsKey(key);
  }

  /** Returns the number of registered peers. */
  public int size() {
    return peers.size();
  }

  // ---- heartbeats ---------------------------------------------------------------------------

  /** Records a heartbeat from {@code key} now (registry clock). Unknown keys are counted and dropped. */
  public void heartbeat(K key) {
    heartbeat(key, false, 0, false, 0, clock.nanoTime());
  }

  /** Records heartbeat number {@code sequence} from {@code key}, arrived at {@code nowNanos}. */
  public void heartbeat(K key, long sequence, long nowNanos) {
    heartbeat(key, false, 0, true, sequence, nowNanos);
  }

  /**
   * Records heartbeat number {@code sequence} of incarnation {@code incarnation} (a number the peer
   * raises each time it starts, such as its start time) from {@code key}. A higher incarnation
   * than the last one seen means the peer restarted: its detector starts afresh and listeners see
   * {@link TransitionReason#RESTARTED}. A lower one is a stale packet: counted and dropped.
   */
  public void heartbeat(K key, long incarnation, long sequence, long nowNanos) {
    heartbeat(key, true, incarnation, true, sequence, nowNanos);
  }

  private void heartbeat(K key, boolean withIncarnation, long incarnation, boolean withSequence,
      long sequence, long nowNanos) {
    Peer<K> peer = key == null ? null : peers.get(key);
    if (peer == null) {
      heartbeatsUnknown.increment();
      return;
    }
    if (!peer.tryBeginHeartbeat()) {
      heartbeatsCoalesced.increment();
      return;
    }
    FailureDetector detector;
    try {
      if (withIncarnation && incarnation != peer.incarnation) {
        if (peer.incarnation != Long.MIN_VALUE && incarnation < peer.incarnation) {
          heartbeatsStaleIncarnation.increment();
          peer.endHeartbeat();
          return;
        }
        if (peer.incarnation != Long.MIN_VALUE) {
          restart(peer, incarnation, sequence, nowNanos);
          peer.endHeartbeat();
          return;
        }
        peer.incarnation = incarnation; // the first incarnation seen
      }
      detector = peer.detector;
      if (withSequence) {
        detector.heartbeat(sequence, nowNanos);
      } else {
        detector.heartbeat(nowNanos);
      }
      peer.recordArrival(nowNanos);
    } catch (RuntimeException | Error e) {
      peer.endHeartbeat(); // a detector never throws; keep the peer usable if one does
      throw e;
    }
    // Releasing the guard is also the full fence that makes the new deadline visible before the
    // state is read (see the class comment). What follows does not write the detector.
    peer.endHeartbeatWithFence();
    if (peer.state != PeerState.AVAILABLE) {
      heardWhileNotAvailable(peer, nowNanos);
    } else if (!peer.scheduled || detector.suspectAtNanos() - peer.scheduledAtNanos < 0) {
      requestEvaluation(peer); // the deadline moved earlier than the timer's entry
    }
  }

  private void heardWhileNotAvailable(Peer<K> peer, long nowNanos) {
    synchronized (peer) {
      PeerState from = peer.state;
      if (peer.removed || from == PeerState.AVAILABLE) {
        return;
      }
      if (from == PeerState.UNKNOWN) {
        transition(peer, PeerState.AVAILABLE, TransitionReason.FIRST_HEARTBEAT, nowNanos, false);
      } else {
        boolean falseSuspicion = peer.reason == TransitionReason.TIMEOUT;
        transition(peer, PeerState.AVAILABLE, TransitionReason.RECOVERED, nowNanos, falseSuspicion);
      }
    }
    requestEvaluation(peer);
  }

  private void restart(Peer<K> peer, long incarnation, long sequence, long nowNanos) {
    FailureDetector fresh = newDetector();
    fresh.heartbeat(sequence, nowNanos);
    synchronized (peer) {
      if (peer.removed) {
        return;
      }
      peer.detector = fresh;
      peer.incarnation = incarnation;
      peer.resetIntervals();
      peer.recordArrival(nowNanos);
      transition(peer, PeerState.AVAILABLE, TransitionReason.RESTARTED, nowNanos, false);
    }
    requestEvaluation(peer);
  }

  /**
   * Declares {@code key} failed now, from a clue faster than a timeout: {@link
   * TransitionReason#CONNECTION_REFUSED}, {@link TransitionReason#LEFT} or {@link
   * TransitionReason#EXTERNAL}. A later heartbeat makes it available again.
   *
   * @return true if the peer changed to FAILED; false if unknown or already failed
   * @throws IllegalArgumentException if {@code reason} is not one of the three above
   */
  public boolean markFailed(K key, TransitionReason reason) {
    Objects.requireNonNull(reason, "reason must not be null");
    if (reason != TransitionReason.CONNECTION_REFUSED && reason != TransitionReason.LEFT
        && reason != TransitionReason.EXTERNAL) {
      throw new IllegalArgumentException(
          "reason must be CONNECTION_REFUSED, LEFT or EXTERNAL, got " + reason);
    }
    Peer<K> peer = key == null ? null : peers.get(key);
    if (peer == null) {
      return false;
    }
    synchronized (peer) {
      if (peer.removed || peer.state == PeerState.FAILED) {
        return false;
      }
      transition(peer, PeerState.FAILED, reason, clock.nanoTime(), false);
      return true;
    }
  }

  // ---- queries ------------------------------------------------------------------------------

  /** Returns the state of {@code key}, or {@link PeerState#REMOVED} if it is not registered. */
  public PeerState state(K key) {
    Peer<K> peer = key == null ? null : peers.get(key);
    return peer == null ? PeerState.REMOVED : peer.state;
  }

  /** Returns whether {@code key} is registered and {@link PeerState#AVAILABLE}. */
  public boolean isAvailable(K key) {
    return state(key) == PeerState.AVAILABLE;
  }

  /** Returns what is known about {@code key} now, or empty if it is not registered. */
  public Optional<PeerSnapshot<K>> snapshot(K key) {
    Peer<K> peer = key == null ? null : peers.get(key);
    return peer == null ? Optional.empty() : Optional.of(snapshotOf(peer, clock.nanoTime()));
  }

  /** Returns a snapshot of every registered peer (allocates: for health pages, not hot paths). */
  public List<PeerSnapshot<K>> snapshots() {
    long now = clock.nanoTime();
    List<PeerSnapshot<K>> result = new ArrayList<>(peers.size());
    for (Peer<K> peer : peers.values()) {
      result.add(snapshotOf(peer, now));
    }
    return result;
  }

  private PeerSnapshot<K> snapshotOf(Peer<K> peer, long now) {
    FailureDetector detector = peer.detector;
    PeerState state = peer.state;
    OptionalDouble phi = detector instanceof AccrualFailureDetector accrualDetector
        ? OptionalDouble.of(accrualDetector.phi(now)) : OptionalDouble.empty();
    long last = detector.lastHeartbeatNanos();
    long sinceLast = last == FailureDetector.NO_DEADLINE ? -1 : now - last;
    return new PeerSnapshot<>(peer.key, state, peer.reason, now - peer.stateSinceNanos, phi,
        sinceLast, detector.timeoutNanos(), peer.meanIntervalNanos(),
        peer.intervalStdDeviationNanos(), peer.incarnation);
  }

  // ---- listeners and tuning -------------------------------------------------------------------

  /** Adds a listener; it receives the transitions made from now on. */
  public void addListener(PeerStateListener<K> listener) {
    Objects.requireNonNull(listener, "listener must not be null");
    listeners.add(new ListenerDelivery<>(listener, listenerExecutor, listenerQueueCapacity,
        listenerDrops, listenerFailures));
  }

  /** Removes a listener; returns false if it was not added. */
  public boolean removeListener(PeerStateListener<K> listener) {
    return listeners.removeIf(delivery -> delivery.listener == listener);
  }

  /**
   * Applies {@code change} to every peer's detector now and to every detector created later (new
   * peers, restarts), for example {@code d -> ((ChenFailureDetector) d).setSafetyMargin(m)}.
   * Deadlines are re-evaluated at the next tick. Validate arguments before calling: if {@code
   * change} throws, the peers it already changed keep the change, and it is not applied to later
   * detectors.
   */
  public void reconfigure(Consumer<? super FailureDetector> change) {
    Objects.requireNonNull(change, "change must not be null");
    synchronized (membership) {
      for (Peer<K> peer : peers.values()) {
        change.accept(peer.detector);
      }
      configurators.add(change);
      for (Peer<K> peer : peers.values()) {
        requestEvaluation(peer);
      }
    }
  }

  /**
   * Sets the phi threshold of every peer, now and later.
   *
   * @throws IllegalArgumentException if not a finite number above 0
   * @throws IllegalStateException if the detectors are not accrual detectors
   */
  public void setThreshold(double threshold) {
    Preconditions.positiveFinite("threshold", threshold);
    if (!accrual) {
      throw new IllegalStateException("setThreshold needs accrual detectors, this registry makes "
          + detectorType + "; use reconfigure to change its setting");
    }
    reconfigure(detector -> ((AccrualFailureDetector) detector).setThreshold(threshold));
  }

  /**
   * A new detector made as this registry makes its peers' (the detector specification, then every
   * {@link #reconfigure} change and threshold so far), not monitored by the registry: for
   * replaying a recorded trace through the configuration in use, as tuning does.
   */
  public FailureDetector newUnmonitoredDetector() {
    return newDetector();
  }

  private FailureDetector newDetector() {
    FailureDetector detector = Objects.requireNonNull(detectorSpec.get(),
        "the detector specification returned null");
    for (Consumer<? super FailureDetector> change : configurators) {
      change.accept(detector);
    }
    return detector;
  }

  // ---- counters -----------------------------------------------------------------------------

  /**
   * Heartbeats recorded since the registry started (including those of peers removed since).
   * Sums a per-peer counter, so it costs O(peers): for metrics scrapes, not hot loops.
   */
  public long heartbeatsReceived() {
    long total = heartbeatsOfRemovedPeers.sum();
    for (Peer<K> peer : peers.values()) {
      total += peer.heartbeats();
    }
    return total;
  }

  /** Heartbeats dropped because the key was not registered (or null). */
  public long heartbeatsUnknown() {
    return heartbeatsUnknown.sum();
  }

  /** Heartbeats dropped because another one for the same peer was being recorded at that instant. */
  public long heartbeatsCoalesced() {
    return heartbeatsCoalesced.sum();
  }

  /** Heartbeats dropped because they carried an older incarnation than the peer's current one. */
  public long heartbeatsStaleIncarnation() {
    return heartbeatsStaleIncarnation.sum();
  }

  /** Number of registered peers in {@code state} (0 for REMOVED). */
  public long peerCount(PeerState state) {
    return peersByState[state.ordinal()].get();
  }

  /** Number of transitions made with {@code reason} since the registry started. */
  public long transitionCount(TransitionReason reason) {
    return transitionsByReason[reason.ordinal()].sum();
  }

  /** Suspicions by timeout that a later heartbeat proved wrong. */
  public long mistakes() {
    return mistakes.sum();
  }

  /** Times the timer thread found itself late by more than the local pause threshold. */
  public long localPauses() {
    return localPauses.sum();
  }

  /** Whether new suspicions are being held after a local pause. */
  public boolean isHoldingSuspicions() {
    return holdingSuspicions;
  }

  /** How late the last tick ran, in nanoseconds, compared to its schedule. */
  public long lastTickLagNanos() {
    return lastTickLagNanos;
  }

  /** The largest tick lag seen, in nanoseconds. */
  public long maxTickLagNanos() {
    return maxTickLagNanos;
  }

  /** Transitions not delivered because a listener's queue was full. */
  public long listenerDrops() {
    return listenerDrops.sum();
  }

  /** Transitions whose listener threw. */
  public long listenerFailures() {
    return listenerFailures.sum();
  }

  // ---- timer --------------------------------------------------------------------------------

  /** One timer tick: detect a local pause, serve re-evaluation requests, expire due deadlines. */
  void tick() {
    if (closed) {
      return;
    }
    long now = clock.nanoTime();
    long lag = Math.max(0, now - lastTickNanos - tickNanos);
    lastTickNanos = now;
    lastTickLagNanos = lag;
    if (lag > maxTickLagNanos) {
      maxTickLagNanos = lag;
    }
    if (lag > localPauseThresholdNanos && localPauseGraceNanos > 0) {
      localPauses.increment();
      holdSuspicionsUntilNanos = now + localPauseGraceNanos;
      holdingSuspicions = true;
      LOG.log(System.Logger.Level.WARNING, () -> String.format("Failure detector timer ran %d ms"
          + " late (GC pause, CPU starvation or a stopped process?); holding new suspicions for"
          + " %d ms so that heartbeats received meanwhile are read first",
          lag / 1_000_000, localPauseGraceNanos / 1_000_000));
    } else if (holdingSuspicions && now - holdSuspicionsUntilNanos >= 0) {
      holdingSuspicions = false;
    }
    Peer<K> requested;
    while ((requested = evaluationRequests.poll()) != null) {
      requested.clearQueued();
      evaluate(requested, now);
    }
    wheel.expire(now, evaluateOnExpiry);
  }

  private void requestEvaluation(Peer<K> peer) {
    if (peer.tryMarkQueued()) {
      evaluationRequests.offer(peer);
    }
  }

  /** Timer thread: decides what a peer is waiting for, acts if it is due, schedules otherwise. */
  @SuppressWarnings("unchecked")
  private void evaluate(Peer<?> anyPeer, long now) {
    Peer<K> peer = (Peer<K>) anyPeer;
    if (peer.removed) {
      wheel.cancel(peer);
      return;
    }
    switch (peer.state) {
      case AVAILABLE -> {
        FailureDetector detector = peer.detector;
        if (!detector.isMonitoring()) {
          return;
        }
        long deadline = detector.suspectAtNanos();
        if (now - deadline < 0) {
          scheduleDeadline(peer, detector, deadline);
        } else if (holdingSuspicions && now - holdSuspicionsUntilNanos < 0) {
          wheel.schedule(peer, holdSuspicionsUntilNanos);
        } else {
          suspect(peer, detector, now);
        }
      }
      case SUSPECTED -> {
        long confirmAt = peer.stateSinceNanos + confirmationNanos;
        if (now - confirmAt >= 0) {
          confirm(peer, now);
        } else {
          wheel.schedule(peer, confirmAt);
        }
      }
      default -> wheel.cancel(peer); // UNKNOWN, FAILED: nothing to wait for
    }
  }

  private void scheduleDeadline(Peer<K> peer, FailureDetector detector, long deadline) {
    wheel.schedule(peer, deadline);
    VarHandle.fullFence(); // pairs with the heartbeat path: see top
    long latest = detector.suspectAtNanos();
    if (latest - deadline < 0) {
      wheel.schedule(peer, latest);
    }
  }

  private void suspect(Peer<K> peer, FailureDetector detector, long now) {
    synchronized (peer) {
      if (peer.removed || peer.state != PeerState.AVAILABLE || peer.detector != detector) {
        return;
      }
      TransitionReason previousReason = peer.reason;
      long previousSince = peer.stateSinceNanos;
      peer.setState(PeerState.SUSPECTED, TransitionReason.TIMEOUT, now);
      VarHandle.fullFence(); // pairs with the heartbeat path: see top
      long deadline = detector.suspectAtNanos();
      if (now - deadline < 0) {
        peer.setState(PeerState.AVAILABLE, previousReason, previousSince); // a heartbeat won
        scheduleDeadline(peer, detector, deadline);
        return;
      }
      changed(peer, PeerState.AVAILABLE, PeerState.SUSPECTED, TransitionReason.TIMEOUT, now, false);
      wheel.schedule(peer, now + confirmationNanos);
    }
  }

  private void confirm(Peer<K> peer, long now) {
    synchronized (peer) {
      if (!peer.removed && peer.state == PeerState.SUSPECTED
          && now - (peer.stateSinceNanos + confirmationNanos) >= 0) {
        transition(peer, PeerState.FAILED, TransitionReason.TIMEOUT, now, false);
      }
    }
  }

  /** Caller holds the peer's monitor. */
  private void transition(Peer<K> peer, PeerState to, TransitionReason reason, long now,
      boolean falseSuspicion) {
    PeerState from = peer.state;
    peer.setState(to, reason, now);
    changed(peer, from, to, reason, now, falseSuspicion);
  }

  /** Counts and announces a state change already made; caller holds the peer's monitor. */
  private void changed(Peer<K> peer, PeerState from, PeerState to, TransitionReason reason,
      long now, boolean falseSuspicion) {
    if (from != to) {
      peersByState[from.ordinal()].decrementAndGet();
      peersByState[to.ordinal()].incrementAndGet();
    }
    if (falseSuspicion) {
      mistakes.increment();
    }
    record(new PeerTransition<>(peer.key, from, to, reason, now, falseSuspicion));
  }

  /** Caller holds the peer's monitor, so each peer's transitions are queued in order. */
  private void record(PeerTransition<K> transition) {
    transitionsByReason[transition.reason().ordinal()].increment();
    for (ListenerDelivery<K> delivery : listeners) {
      delivery.deliver(transition);
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
    if (ownedListenerExecutor != null) {
      ownedListenerExecutor.shutdownNow();
    }
  }

  @Override
  public String toString() {
    Map<PeerState, Long> counts = new EnumMap<>(PeerState.class);
    for (PeerState state : PeerState.values()) {
      if (state != PeerState.REMOVED) {
        counts.put(state, peerCount(state));
      }
    }
    return "FailureDetectorRegistry[peers=" + counts + ", mistakes=" + mistakes()
        + ", localPauses=" + localPauses() + "]";
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
    private Supplier<? extends FailureDetector> detectorSpec =
        PhiAccrualFailureDetector.builder()::build;
    private int maxPeers = 10_000;
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
     * How each peer's detector is made, for example {@code
     * ChenFailureDetector.builder().heartbeatInterval(d)::build}; called once per peer and per
     * restart, and once by {@link #build()} to check it. Default: phi accrual with Pekko's
     * defaults. The detectors' own clocks are not used: the registry passes its times.
     */
    public Builder detector(Supplier<? extends FailureDetector> detectorSpec) {
      this.detectorSpec = Preconditions.notNull("detector", detectorSpec);
      return this;
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
     * Transitions queued per listener before new ones are dropped; default 10,000.
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

    /**
     * Builds and starts a registry.
     *
     * @throws NullPointerException if the detector specification returns null
     */
    public <K> FailureDetectorRegistry<K> build() {
      FailureDetector probe = Objects.requireNonNull(detectorSpec.get(),
          "the detector specification returned null");
      return new FailureDetectorRegistry<>(this, probe);
    }
  }
}
