package dev.failuredetector.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * One member's part of the cluster overlay: the confirmed view of every member, built from its own
 * observers' accusations, and what to tell the others. No I/O and no clock of its own: the caller
 * passes the time, feeds it this node's local verdicts on the members it observes and the rumors
 * it receives, and asks it for the rumors to send.
 *
 * <p><b>Roles.</b> With an {@link ObserverTopology}, this node sends heartbeats to the members that
 * observe it ({@link #heartbeatTargets()}) and runs a detector on the members it observes ({@link
 * #subjects()}); its registry's transitions for those come in through {@link #onLocalState}.
 *
 * <p><b>Accusing.</b> When this node's detector has suspected a member it observes for longer
 * than its local-health delay (none while healthy), it accuses the member at the member's current
 * cluster incarnation: a {@link Rumor.Kind#SUSPECT} rumor sent to whom it concerns, the member
 * (to refute it) and its other observers (to count it), {@code directSends} times an interval
 * apart. A single accusation costs about {@code k} messages, whatever the size of the cluster.
 *
 * <p><b>Confirming.</b> A member is {@link MemberState#FAILED} at a node once that node has heard
 * {@code needed} distinct observers accuse the same incarnation ({@link #defaultConfirmations}:
 * 6 of 8, 8 of 10; fewer by one for each of its observers confirmed failed itself, never fewer
 * than half), or hears the FAILED verdict of a node that counted them. One observer with a bad
 * link, or a paused one, is one accuser: never enough. Fewer accusers leave the member {@link
 * MemberState#SUSPECTED} at its observers (only they hear accusations), not failed.
 *
 * <p><b>Refuting.</b> A node that hears itself accused at its current incarnation raises its
 * incarnation and tells its observers ({@link Rumor.Kind#ALIVE}); declared failed, it tells
 * everyone. Every accusation of the older incarnation is then void, so suspicions from transient
 * losses never add up over time. Having to refute is a sign of being the problem: it lowers this
 * node's {@link LocalHealth}. Each message a member sends carries its incarnation ({@link
 * #heard}), so its observers accuse the incarnation it has now.
 *
 * <p><b>Spreading.</b> News for everyone (a verdict, a failed member back alive) is queued and
 * sent at most {@code retransmitMultiplier x ceil(log10(members + 1))} times, piggybacked on
 * heartbeats ({@link #takeRumors}) and, while it waits, in messages to {@code fanout} random
 * members each interval ({@link #gossipTargets}); each node that learns it passes it on. Nothing
 * is sent beyond heartbeats in a quiet cluster.
 *
 * <p><b>Threads.</b> Not thread-safe: one thread at a time (the node's event loop, or the
 * simulation). {@link #localHealth()}'s score may be read from any thread.
 */
public final class ClusterNode {

  private static final byte ALIVE = 0;
  private static final byte SUSPECTED = 1;
  private static final byte FAILED = 2;
  private static final MemberState[] STATES = MemberState.values();

  /** Accusations against one incarnation of one member, by observer slot. */
  private static final class Accusations {
    final long incarnation;
    long slots;

    Accusations(long incarnation) {
      this.incarnation = incarnation;
    }
  }

  private final ObserverTopology topology;
  private final String selfId;
  private final int self;
  private final long intervalNanos;
  private final int confirmations;
  private final int fanout;
  private final int retransmitLimit;
  private final int maxRumorsPerMessage;
  private final long accusationDelayPerPointNanos;
  private final long pauseThresholdNanos;
  private final ClusterListener listener;
  private final SplittableRandom random;
  private final LocalHealth health;
  private final RumorQueue queue;
  private final DirectRumors direct;
  private final int directSends;

  private final long[] incarnations;
  private final byte[] states;
  private final Map<Integer, Accusations> accusations = new HashMap<>();
  private final int[] subjects;
  /** Members this node observes and suspects now: since when. */
  private final Map<Integer, Long> suspectedSince = new HashMap<>();
  /** Members this node has accused, with the incarnation it accused. */
  private final Map<Integer, Long> accused = new HashMap<>();
  private final int burstThreshold;
  private boolean inBurst;

  /** Per member: its share of {@link #digest} (non-zero only while it is FAILED here). */
  private final long[] digestShares;
  /** The sum of the shares: equal sets of (failed member, incarnation), equal digests. */
  private long digest;
  /** Members whose messages carried a digest unlike ours: since when (anti-entropy). */
  private final Map<Integer, Long> disagreeingSince = new HashMap<>();
  /** Members owed a message now (a sync), rumors or none: it carries our digest. */
  private final List<Integer> syncTargets = new ArrayList<>();
  /** Where the next sync's list of verdicts starts, so that repeated syncs cover them all. */
  private int syncCursor;
  private final long syncAfterNanos;
  private long syncs;

  private long incarnation;
  /** +1 each time what {@link #view} shows of some member changes. */
  private long changes;
  private long lastTickNanos;
  private long nextGossipNanos;

  private long rumorsReceived;
  private long rumorsApplied;
  private long rumorsStale;
  private long rumorsRejected;
  private long accusationsMade;
  private long accusationsWithheld;
  private long confirmedFailures;

  private final Builder settings;

  private ClusterNode(Builder b, ClusterNode previous) {
    this.settings = b;
    this.topology = b.topology;
    this.selfId = b.selfId;
    this.self = topology.index(selfId);
    if (self < 0) {
      throw new IllegalArgumentException("self must be a member of the topology, got '" + selfId
          + "' (members: " + topology.size() + ")");
    }
    if (Math.min(topology.k(), topology.size() - 1) > ObserverTopology.MAX_OBSERVERS) {
      throw new IllegalArgumentException("observers must be at most "
          + ObserverTopology.MAX_OBSERVERS + " in an overlay, got " + topology.size() + " members"
          + " all-to-all");
    }
    this.intervalNanos = b.intervalNanos;
    this.confirmations = b.confirmations;
    this.fanout = b.fanout;
    this.retransmitLimit =
        b.retransmitMultiplier * (int) Math.ceil(Math.log10(topology.size() + 1));
    this.maxRumorsPerMessage = b.maxRumorsPerMessage;
    this.accusationDelayPerPointNanos = b.accusationDelayPerPointNanos;
    this.pauseThresholdNanos = b.pauseThresholdNanos;
    this.syncAfterNanos = b.syncAfterNanos;
    this.listener = b.listener;
    this.random = new SplittableRandom(b.seed);
    this.health = previous != null ? previous.health
        : new LocalHealth(b.healthMax, b.healthDecayNanos, b.nowNanos);
    this.queue = previous != null ? previous.queue : new RumorQueue(b.queueCapacity);
    this.direct = new DirectRumors(b.intervalNanos);
    this.directSends = b.directSends;
    this.incarnations = new long[topology.size()];
    this.states = new byte[topology.size()];
    this.digestShares = new long[topology.size()];
    this.subjects = topology.subjects(self);
    this.burstThreshold = Math.max(2, (subjects.length + 1) / 2);
    this.incarnation = previous != null ? previous.incarnation : b.incarnation;
    this.incarnations[self] = incarnation;
    this.lastTickNanos = b.nowNanos;
    this.nextGossipNanos = b.nowNanos;
    if (previous != null) {
      adopt(previous);
    }
  }

  /** What this node held of the members it still has, by id (a new topology renumbers them). */
  private void adopt(ClusterNode previous) {
    ObserverTopology old = previous.topology;
    for (int m = 0; m < topology.size(); m++) {
      int was = old.index(topology.id(m));
      if (was >= 0 && m != self) {
        incarnations[m] = previous.incarnations[was];
        states[m] = previous.states[was];
        share(m);
      }
    }
    for (Map.Entry<Integer, Long> e : previous.suspectedSince.entrySet()) {
      int m = topology.index(old.id(e.getKey()));
      if (m >= 0 && topology.observerSlot(m, self) >= 0) {
        suspectedSince.put(m, e.getValue()); // accused again at the next tick, to its observers now
      }
    }
    lastTickNanos = previous.lastTickNanos;
    nextGossipNanos = previous.nextGossipNanos;
    rumorsReceived = previous.rumorsReceived;
    rumorsApplied = previous.rumorsApplied;
    rumorsStale = previous.rumorsStale;
    rumorsRejected = previous.rumorsRejected;
    accusationsMade = previous.accusationsMade;
    accusationsWithheld = previous.accusationsWithheld;
    confirmedFailures = previous.confirmedFailures;
    syncs = previous.syncs;
    // Accusations heard are dropped: observers change with the membership, and an accusation
    // counts only from a member's observers; theirs come again the same way.
  }

  /**
   * This node over a new membership (members joined or left): the same settings, incarnation,
   * local health and queued news; what it held of the members that remain; observer roles as the
   * new topology says. The old node must not be used after.
   *
   * @throws IllegalArgumentException if this node is not a member of {@code next}
   */
  public ClusterNode withTopology(ObserverTopology next) {
    return new ClusterNode(new Builder(settings, next), this);
  }

  /** Returns a builder for the node {@code selfId} of {@code topology}. */
  public static Builder builder(ObserverTopology topology, String selfId) {
    return new Builder(topology, selfId);
  }

  /**
   * Accusers that confirm a failure among {@code observers} (the default): all of up to three,
   * then all but a quarter (6 of 8, 8 of 10), so one or two silent observers (paused, failed,
   * cut off) do not stop a confirmation and one or two wrong ones never make it.
   */
  public static int defaultConfirmations(int observers) {
    return observers - observers / 4;
  }

  // ---- inputs ----

  /**
   * This node's own detector's verdict on a member: suspected (SUSPECTED or FAILED in its
   * registry) or not. Verdicts on members it does not observe are ignored.
   */
  public void onLocalState(String member, boolean suspected, long nowNanos) {
    int m = topology.index(member);
    if (m < 0 || topology.observerSlot(m, self) < 0) {
      return;
    }
    if (suspected) {
      if (suspectedSince.putIfAbsent(m, nowNanos) == null) {
        if (!inBurst && suspectedSince.size() >= burstThreshold && subjects.length >= 2) {
          inBurst = true;
          health.suspicionBurst(nowNanos);
        }
        maybeAccuse(m, nowNanos, nowNanos);
      }
    } else {
      suspectedSince.remove(m);
      if (accused.remove(m) == null && pendingAccusationDelay() > 0) {
        accusationsWithheld++;
      }
      if (inBurst && suspectedSince.size() < (burstThreshold + 1) / 2) {
        inBurst = false;
      }
    }
  }

  /**
   * An authentic, fresh message of {@code member} (a heartbeat or a gossip message) said its
   * cluster incarnation is {@code incarnation}: as good as its own ALIVE rumor. Every message a
   * member sends carries its incarnation, so its observers accuse the incarnation it has now.
   */
  public void heard(String member, long incarnation, long nowNanos) {
    int m = topology.index(member);
    if (m < 0 || m == self || incarnation <= incarnations[m]) {
      return;
    }
    incarnations[m] = incarnation;
    accusations.remove(m);
    changes++;
    if (states[m] == FAILED) {
      // Everyone holds it failed: news for everyone. Anything else (a first or routine learning,
      // the end of an accusation) concerns only this node.
      queue.add(Rumor.alive(member, incarnation));
    }
    change(m, ALIVE, incarnation, 0, nowNanos);
  }

  /**
   * A fresh message of {@code member} carried {@code viewDigest}, the digest of its confirmed
   * failures ({@link #viewDigest()}). Anti-entropy: rumors are sent a bounded number of times, so
   * a node can miss a verdict for good (its messages lost, a restart, a membership change); two
   * nodes whose digests stay unlike for the sync delay send each other their verdicts (a few a
   * message, from a rotating start), until the digests agree. Nothing is sent while they agree.
   */
  public void heardDigest(String member, long viewDigest, long nowNanos) {
    int m = topology.index(member);
    if (m < 0 || m == self) {
      return;
    }
    if (viewDigest == digest) {
      if (!disagreeingSince.isEmpty()) { // the common case boxes nothing: every message comes here
        disagreeingSince.remove(m);
      }
      return;
    }
    Long since = disagreeingSince.get(m);
    if (since == null) {
      // Unlike while a verdict spreads, as a rule: wait for it to arrive before syncing.
      disagreeingSince.put(m, nowNanos);
      return;
    }
    if (nowNanos - since < syncAfterNanos) {
      return;
    }
    disagreeingSince.put(m, nowNanos); // the next sync to it no sooner than the delay again
    syncs++;
    int failed = 0;
    int n = topology.size();
    for (int i = 0; i < n && failed < maxRumorsPerMessage; i++) {
      int f = (syncCursor + i) % n;
      if (states[f] == FAILED) {
        direct.add(m, Rumor.failed(topology.id(f), incarnations[f]), 1, nowNanos);
        failed++;
        if (failed == maxRumorsPerMessage) {
          syncCursor = (f + 1) % n;
        }
      }
    }
    if (failed == 0 && !syncTargets.contains(m)) {
      // None to send: it holds failures we do not. A message with our digest makes it send them.
      syncTargets.add(m);
    }
  }

  /** A rumor received from another node (already authenticated by the transport). */
  public void receive(Rumor rumor, long nowNanos) {
    receive(rumor, null, nowNanos);
  }

  /**
   * A rumor received from {@code sender} (already authenticated by the transport). A verdict or a
   * revival older than what this node knows of its subject is answered, to the sender alone, with
   * what this node knows: the sender is behind (it missed a refutation or a verdict).
   */
  public void receive(Rumor rumor, String sender, long nowNanos) {
    rumorsReceived++;
    apply(rumor, nowNanos);
    if (sender != null && rumor.kind() != Rumor.Kind.SUSPECT) {
      int s = topology.index(rumor.subject());
      int from = topology.index(sender);
      if (s >= 0 && s != self && from >= 0 && from != self
          && rumor.incarnation() < incarnations[s]) {
        Rumor newer = states[s] == FAILED ? Rumor.failed(rumor.subject(), incarnations[s])
            : Rumor.alive(rumor.subject(), incarnations[s]);
        direct.add(from, newer, 1, nowNanos);
      }
    }
  }

  private void apply(Rumor rumor, long nowNanos) {
    int s = topology.index(rumor.subject());
    if (s < 0) {
      rumorsRejected++;
      return;
    }
    if (s == self) {
      aboutSelf(rumor, nowNanos);
      return;
    }
    long known = incarnations[s];
    long v = rumor.incarnation();
    switch (rumor.kind()) {
      case ALIVE -> {
        if (v <= known) {
          rumorsStale++;
          return;
        }
        incarnations[s] = v;
        accusations.remove(s);
        changes++;
        rumorsApplied++;
        if (states[s] == FAILED) {
          queue.add(rumor); // it came back: everyone holds it failed, everyone must hear
        }
        change(s, ALIVE, v, 0, nowNanos);
      }
      case SUSPECT -> {
        int accuser = topology.index(rumor.accuser());
        int slot = accuser < 0 ? -1 : topology.observerSlot(s, accuser);
        if (slot < 0) {
          rumorsRejected++;
          return;
        }
        if (v < known || (v == known && states[s] == FAILED)) {
          rumorsStale++;
          return;
        }
        if (v > known) {
          incarnations[s] = v; // only the subject raises it: it lived to say so
        }
        Accusations a = accusations.get(s);
        if (a == null || a.incarnation != v) {
          a = new Accusations(v);
          accusations.put(s, a);
        }
        long bit = 1L << slot;
        if ((a.slots & bit) != 0) {
          rumorsStale++;
          return;
        }
        a.slots |= bit;
        changes++;
        rumorsApplied++; // not relayed: it went to whom it concerns (see maybeAccuse)
        int count = Long.bitCount(a.slots);
        if (count >= needed(s)) {
          confirm(s, v, count, nowNanos);
        } else {
          change(s, SUSPECTED, v, count, nowNanos);
        }
      }
      case FAILED -> {
        if (v < known || (v == known && states[s] == FAILED)) {
          rumorsStale++;
          return;
        }
        incarnations[s] = v;
        changes++;
        Accusations a = accusations.get(s);
        confirm(s, v, a == null || a.incarnation != v ? 0 : Long.bitCount(a.slots), nowNanos);
      }
    }
  }

  private void aboutSelf(Rumor rumor, long nowNanos) {
    long v = rumor.incarnation();
    if (rumor.kind() == Rumor.Kind.ALIVE) {
      if (v > incarnation) { // our own word from an earlier life: go on above it
        incarnation = v;
        incarnations[self] = v;
      } else {
        rumorsStale++;
      }
      return;
    }
    if (v < incarnation) {
      rumorsStale++;
      return;
    }
    incarnation = v + 1;
    incarnations[self] = incarnation;
    health.refuted(nowNanos);
    Rumor alive = Rumor.alive(selfId, incarnation);
    if (rumor.kind() == Rumor.Kind.FAILED) {
      queue.add(alive); // everyone holds us failed
    } else {
      for (int o : topology.observersArray(self)) { // only our observers count accusations
        direct.add(o, alive, directSends, nowNanos);
      }
    }
    rumorsApplied++;
  }

  /**
   * Time passes: accusations whose local-health delay is over are made, local health heals, and a
   * tick much later than the last one (this node was paused) counts against local health.
   */
  public void tick(long nowNanos) {
    if (nowNanos - lastTickNanos > pauseThresholdNanos) {
      health.paused(nowNanos);
    }
    lastTickNanos = nowNanos;
    health.tick(nowNanos);
    if (!suspectedSince.isEmpty()) {
      for (Map.Entry<Integer, Long> e : suspectedSince.entrySet()) {
        maybeAccuse(e.getKey(), e.getValue(), nowNanos);
      }
    }
  }

  // ---- outputs ----

  /**
   * Moves up to {@code max} rumors (at most the configured per-message bound) into {@code out}
   * for one message to {@code destination}: first those addressed to it, then news for everyone;
   * each counts as sent once.
   *
   * @return how many were added
   */
  public int takeRumors(String destination, List<Rumor> out, int max, long nowNanos) {
    int limit = Math.min(max, maxRumorsPerMessage);
    int d = topology.index(destination);
    int n = d < 0 || direct.isEmpty() ? 0 : direct.take(d, out, limit, nowNanos);
    return n + queue.take(out, limit - n, retransmitLimit);
  }

  /**
   * The members to send a message of rumors to now: those with rumors addressed to them due (no
   * heartbeat carried them this interval), and {@code fanout} random members that are not failed,
   * once per interval while news for everyone waits. None in a quiet cluster.
   */
  public List<String> gossipTargets(long nowNanos) {
    return gossipTargets(nowNanos, null);
  }

  /**
   * As {@link #gossipTargets(long)}, choosing the random members among {@code candidates} (null:
   * among all): over the wire, the members whose incarnation the transport knows, so that the
   * message is bound to them (one never heard from would drop it). Members with rumors addressed
   * to them are returned in any case.
   */
  public List<String> gossipTargets(long nowNanos, List<String> candidates) {
    boolean gossip = !queue.isEmpty() && nowNanos - nextGossipNanos >= 0;
    if (!gossip && direct.isEmpty() && syncTargets.isEmpty()) {
      return List.of();
    }
    List<Integer> targets = new ArrayList<>();
    direct.due(nowNanos, targets);
    for (int m : syncTargets) {
      if (!targets.contains(m)) {
        targets.add(m);
      }
    }
    syncTargets.clear();
    if (gossip) {
      nextGossipNanos = nowNanos + intervalNanos;
      int n = candidates == null ? topology.size() : candidates.size();
      for (int chosen = 0, attempts = 0; n > 0 && chosen < fanout && attempts < fanout * 4;
          attempts++) {
        int m = candidates == null ? random.nextInt(n) : topology.index(
            candidates.get(random.nextInt(n)));
        if (m >= 0 && m != self && states[m] != FAILED && !targets.contains(m)) {
          targets.add(m);
          chosen++;
        }
      }
    }
    List<String> out = new ArrayList<>(targets.size());
    for (int m : targets) {
      out.add(topology.id(m));
    }
    return out;
  }

  /** The members this node sends heartbeats to: those that observe it. */
  public List<String> heartbeatTargets() {
    return topology.observersOf(selfId);
  }

  /** The members this node observes (runs a detector on). */
  public List<String> subjects() {
    return topology.subjectsOf(selfId);
  }

  // ---- views ----

  /** The confirmed state of a member, or {@code null} if it is not one. */
  public MemberState state(String member) {
    int m = topology.index(member);
    return m < 0 ? null : STATES[states[m]];
  }

  /** What this node holds of a member, or {@code null} if it is not one. */
  public MemberView view(String member) {
    int m = topology.index(member);
    if (m < 0) {
      return null;
    }
    Accusations a = accusations.get(m);
    int accusers = a == null || a.incarnation != incarnations[m] ? 0 : Long.bitCount(a.slots);
    return new MemberView(STATES[states[m]], incarnations[m], accusers, needed(m),
        topology.observerCount(m));
  }

  /**
   * A count that changes whenever what {@link #view} shows of some member changes (a state, an
   * incarnation, an accuser): a caller that publishes views copies them only when it moved.
   */
  public long changes() {
    return changes;
  }

  /** This node's current cluster incarnation. */
  public long incarnation() {
    return incarnation;
  }

  /** This node's id. */
  public String id() {
    return selfId;
  }

  /** The topology this node works with. */
  public ObserverTopology topology() {
    return topology;
  }

  /** How much this node distrusts itself. */
  public LocalHealth localHealth() {
    return health;
  }

  /** Rumors waiting to be sent, and messages owed (syncs): while not 0, gossip targets may come. */
  public int queuedRumors() {
    return queue.size() + direct.size() + syncTargets.size();
  }

  /**
   * The digest of this node's confirmed failures: a sum of a hash of each FAILED member's id and
   * incarnation, so nodes holding the same verdicts hold the same digest whatever the order they
   * learned them in. Carried by every message ({@link #heardDigest}). 0 with no failures.
   */
  public long viewDigest() {
    return digest;
  }

  /** Counts since start. */
  public ClusterStats stats() {
    return new ClusterStats(rumorsReceived, rumorsApplied, rumorsStale, rumorsRejected,
        accusationsMade, accusationsWithheld, health.refutations(), confirmedFailures,
        queue.dropped(), health.score(), syncs);
  }

  // ---- internals ----

  private long pendingAccusationDelay() {
    return health.score() * accusationDelayPerPointNanos;
  }

  private void maybeAccuse(int m, long sinceNanos, long nowNanos) {
    if (states[m] == FAILED) {
      return;
    }
    if (accused.containsKey(m)) {
      // Accused once for this suspicion. If it refuted, we still cannot hear it, but a new
      // accusation needs a new suspicion from our detector: else a bad link would accuse and be
      // refuted forever, and lower the subject's local health each time.
      return;
    }
    if (nowNanos - sinceNanos < pendingAccusationDelay()) {
      return;
    }
    accused.put(m, incarnations[m]);
    accusationsMade++;
    Rumor accusation = Rumor.suspect(topology.id(m), incarnations[m], selfId);
    // To whom it concerns: the subject (to refute) and its other observers (to count). Only a
    // verdict goes to everyone: a single accusation costs k messages, not n.
    direct.add(m, accusation, directSends, nowNanos);
    for (int o : topology.observersArray(m)) {
      if (o != self) {
        direct.add(o, accusation, directSends, nowNanos);
      }
    }
    apply(accusation, nowNanos);
  }

  private int needed(int s) {
    int k = topology.observerCount(s);
    int h = confirmations > 0 ? Math.min(confirmations, k) : defaultConfirmations(k);
    int failedObservers = 0;
    for (int slot = 0; slot < k; slot++) {
      if (states[topology.observerAt(s, slot)] == FAILED) {
        failedObservers++;
      }
    }
    return Math.max(Math.max(1, (k + 1) / 2), h - failedObservers);
  }

  private void confirm(int s, long v, int accusers, long nowNanos) {
    accusations.remove(s);
    queue.add(Rumor.failed(topology.id(s), v));
    confirmedFailures++;
    change(s, FAILED, v, accusers, nowNanos);
  }

  private void change(int s, byte to, long v, int accusers, long nowNanos) {
    byte from = states[s];
    states[s] = to;
    share(s); // also when the state stays: the incarnation may have moved
    if (from == to) {
      return;
    }
    changes++;
    if (listener != null) {
      listener.onMemberTransition(new MemberTransition(topology.id(s), STATES[from], STATES[to], v,
          accusers, nowNanos));
    }
  }

  /** Recomputes member {@code s}'s share of the digest after its state or incarnation changed. */
  private void share(int s) {
    long next = states[s] == FAILED ? mix(topology.id(s).hashCode() * 0x9E3779B97F4A7C15L
        + incarnations[s]) : 0;
    digest += next - digestShares[s];
    digestShares[s] = next;
  }

  /** A 64-bit finalizer (SplitMix64's): close inputs, unrelated outputs. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  @Override
  public String toString() {
    return "ClusterNode{" + selfId + "@" + incarnation + ", members=" + topology.size()
        + ", health=" + health.score() + "}";
  }

  /** Settings of a {@link ClusterNode}; each setter checks its value and names it when wrong. */
  public static final class Builder {
    private final ObserverTopology topology;
    private final String selfId;
    private long intervalNanos = Duration.ofSeconds(1).toNanos();
    private int confirmations;
    private int fanout = 3;
    private int retransmitMultiplier = 4;
    private int maxRumorsPerMessage = 8;
    private int queueCapacity = 1024;
    private int directSends = 3;
    private int healthMax = 8;
    private long healthDecayNanos = -1;
    private long accusationDelayPerPointNanos = -1;
    private long pauseThresholdNanos = -1;
    private long syncAfterNanos = -1;
    private long incarnation = 1;
    private long seed = System.nanoTime();
    private long nowNanos;
    private ClusterListener listener;

    private Builder(ObserverTopology topology, String selfId) {
      this.topology = Objects.requireNonNull(topology, "topology");
      this.selfId = Objects.requireNonNull(selfId, "self");
    }

    private Builder(Builder other, ObserverTopology topology) {
      this(topology, other.selfId);
      intervalNanos = other.intervalNanos;
      confirmations = other.confirmations;
      fanout = other.fanout;
      retransmitMultiplier = other.retransmitMultiplier;
      maxRumorsPerMessage = other.maxRumorsPerMessage;
      queueCapacity = other.queueCapacity;
      directSends = other.directSends;
      healthMax = other.healthMax;
      healthDecayNanos = other.healthDecayNanos;
      accusationDelayPerPointNanos = other.accusationDelayPerPointNanos;
      pauseThresholdNanos = other.pauseThresholdNanos;
      syncAfterNanos = other.syncAfterNanos;
      incarnation = other.incarnation;
      seed = other.seed + 1;
      nowNanos = other.nowNanos;
      listener = other.listener;
    }

    /** The heartbeat interval: the gossip period and the unit of the delays below. Default 1 s. */
    public Builder interval(Duration interval) {
      this.intervalNanos = positive("interval", interval);
      return this;
    }

    /**
     * Accusers that confirm a failure (capped at a member's observers); default {@link
     * #defaultConfirmations}. Never fewer than half a member's observers (rounded up), whatever
     * this says: fewer would let a minority of bad links fail a live member.
     */
    public Builder confirmations(int confirmations) {
      this.confirmations = range("confirmations", confirmations, 1, ObserverTopology.MAX_OBSERVERS);
      return this;
    }

    /** Members a gossip message goes to each interval while rumors wait; default 3. */
    public Builder fanout(int fanout) {
      this.fanout = range("fanout", fanout, 1, 16);
      return this;
    }

    /** Each rumor is sent {@code multiplier x ceil(log10(members + 1))} times; default 4. */
    public Builder retransmitMultiplier(int multiplier) {
      this.retransmitMultiplier = range("retransmitMultiplier", multiplier, 1, 16);
      return this;
    }

    /** Most rumors on one message; default 8. */
    public Builder maxRumorsPerMessage(int max) {
      this.maxRumorsPerMessage = range("maxRumorsPerMessage", max, 1, 64);
      return this;
    }

    /**
     * Times an accusation (or a refutation of one) is sent to each member it concerns, one
     * interval apart; default 3.
     */
    public Builder directSends(int sends) {
      this.directSends = range("directSends", sends, 1, 16);
      return this;
    }

    /** Most rumors waiting to be sent; default 1024. */
    public Builder queueCapacity(int capacity) {
      this.queueCapacity = range("queueCapacity", capacity, 16, 1 << 20);
      return this;
    }

    /** The highest local-health score; 0 turns local health off. Default 8. */
    public Builder localHealthMax(int max) {
      this.healthMax = range("localHealthMax", max, 0, 64);
      return this;
    }

    /** One local-health point is forgiven per this much quiet time; default 25 intervals. */
    public Builder localHealthDecay(Duration decay) {
      this.healthDecayNanos = positive("localHealthDecay", decay);
      return this;
    }

    /**
     * How much longer this node waits before accusing, per local-health point; default 5
     * intervals.
     */
    public Builder accusationDelayPerPoint(Duration delay) {
      this.accusationDelayPerPointNanos = positive("accusationDelayPerPoint", delay);
      return this;
    }

    /** A tick later than this after the previous one is a local pause; default 5 intervals. */
    public Builder pauseThreshold(Duration threshold) {
      this.pauseThresholdNanos = positive("pauseThreshold", threshold);
      return this;
    }

    /**
     * How long a member's messages must carry a view digest unlike this node's before the two
     * send each other their verdicts (anti-entropy), and the least time between two such syncs
     * with one member; default 10 intervals, longer than a verdict takes to spread.
     */
    public Builder syncAfter(Duration delay) {
      this.syncAfterNanos = positive("syncAfter", delay);
      return this;
    }

    /**
     * This run's first cluster incarnation; default 1. A real node passes its start time in
     * milliseconds, so that a restart starts above every incarnation of its earlier life (and
     * refutes its way up if a clock stepped back made it start lower).
     */
    public Builder incarnation(long incarnation) {
      if (incarnation < 1) {
        throw new IllegalArgumentException("incarnation must be >= 1, got " + incarnation);
      }
      this.incarnation = incarnation;
      return this;
    }

    /** The seed of the gossip target choice; default from the clock. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** The current time on the caller's clock. */
    public Builder now(long nowNanos) {
      this.nowNanos = nowNanos;
      return this;
    }

    /** Receives confirmed-view changes; default none. */
    public Builder listener(ClusterListener listener) {
      this.listener = listener;
      return this;
    }

    /**
     * @throws IllegalArgumentException if {@code self} is not a member of the topology
     */
    public ClusterNode build() {
      if (healthDecayNanos < 0) {
        healthDecayNanos = 25 * intervalNanos;
      }
      if (accusationDelayPerPointNanos < 0) {
        accusationDelayPerPointNanos = 5 * intervalNanos;
      }
      if (pauseThresholdNanos < 0) {
        pauseThresholdNanos = 5 * intervalNanos;
      }
      if (syncAfterNanos < 0) {
        syncAfterNanos = 10 * intervalNanos;
      }
      return new ClusterNode(this, null);
    }

    private static long positive(String setting, Duration value) {
      Objects.requireNonNull(value, () -> setting + " must not be null");
      if (value.isNegative() || value.isZero() || value.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException(
            setting + " must be > 0 and <= 1 day, got " + value);
      }
      return value.toNanos();
    }

    private static int range(String setting, int value, int min, int max) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            setting + " must be between " + min + " and " + max + ", got " + value);
      }
      return value;
    }
  }
}
