package dev.failuredetector.cluster;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.MonitoredPeer;
import dev.failuredetector.PeerState;
import dev.failuredetector.PeerTransition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A whole cluster in one thread over a {@link SimulatedNetwork}: every member a real {@link
 * FailureDetectorRegistry} (the detectors a node runs) and a real {@link ClusterNode}, heartbeats
 * carrying rumors to the members' observers, gossip messages, registry ticks; crashes, pauses and
 * one-way cuts on demand. Deterministic for a seed; thousands of members fit in a few GiB.
 *
 * <p>Two modes: {@link Mode#OVERLAY} (each member heartbeats its {@code k} observers, failures
 * confirmed by the overlay) and {@link Mode#ALL_TO_ALL} (every member heartbeats every other and
 * each one's own registry decides: SUSPECTED after its timeout, FAILED after the registry's
 * confirmation time, the behaviour without an overlay), so both can run the same scenario.
 *
 * <p>What a run shows is in {@link #result()}: messages per member, detection times of crashes,
 * and verdicts against members that never crashed or paused (false failures). Not thread-safe.
 */
public final class ClusterSimulation {

  /** How members watch each other. */
  public enum Mode {
    /** {@code k} observers per member, failures confirmed by several. */
    OVERLAY,
    /** Everyone watches everyone; each member's own registry decides alone. */
    ALL_TO_ALL
  }

  /**
   * A message: a heartbeat (slot &gt; 0) or a gossip message (slot 0), with the sender's cluster
   * incarnation and rumors.
   */
  private record Message(long slot, long incarnation, long digest, List<Rumor> rumors) {}

  private final class Member {
    final int index;
    final String id;
    final FailureDetectorRegistry<String> registry;
    final Map<Integer, MonitoredPeer<String>> watched = new HashMap<>();
    final int[] heartbeatTargets;
    final ClusterNode cluster;
    Runnable registryTick;
    long slot;
    boolean crashed;
    long pausedUntil = Long.MIN_VALUE;
    boolean paused;
    List<Object[]> backlog;

    Member(int index) {
      this.index = index;
      this.id = topology.id(index);
      this.registry = FailureDetectorRegistry.builder()
          .detector(detector)
          .clock(network)
          .tick(Duration.ofNanos(tickNanos))
          .confirmationTime(confirmationTime)
          .tickScheduler((tick, period) -> {
            registryTick = tick;
            return () -> { };
          })
          .listenerExecutor(Runnable::run)
          .name(id)
          .build();
      if (mode == Mode.OVERLAY) {
        ClusterNode.Builder b = ClusterNode.builder(topology, id)
            .interval(Duration.ofNanos(intervalNanos))
            .seed(seed * 31 + index)
            .now(network.nanoTime())
            .listener(t -> onClusterTransition(index, t));
        clusterSettings.accept(b);
        this.cluster = b.build();
      } else {
        this.cluster = null; // each registry decides alone
      }
      int[] subjects = topology.subjects(index);
      for (int s : subjects) {
        watched.put(s, registry.register(topology.id(s)));
      }
      this.heartbeatTargets = topology.observers(index);
      registry.addListener(t -> onLocalTransition(this, t));
    }
  }

  private final Mode mode;
  private final long seed;
  private final long intervalNanos;
  private final long tickNanos;
  private final DetectorSpec detector;
  private final Duration confirmationTime;
  private final Consumer<ClusterNode.Builder> clusterSettings;
  private final SimulatedNetwork network;
  private final ObserverTopology topology;
  /** The overlay's topology even all-to-all: the scenarios pick the same faults in both modes. */
  private final ObserverTopology faultTopology;
  private final Member[] members;
  private final SplittableRandom random;
  private final int messageBaseBytes;
  private final int maxRumorsPerMessage;
  private final List<Rumor> scratch = new ArrayList<>();

  // What happened, for the result.
  private final long[] crashedAt;
  private final boolean[] everPaused;
  private final long[] sentMessages;
  private final long[] sentBytes;
  private final Map<Integer, long[]> detections = new HashMap<>();
  private final Map<Integer, Long> detectionBounds = new HashMap<>();
  private long falseVerdicts;
  private final boolean[] falselyFailed;
  private long pausedConfirmations;
  private long revivals;
  private long localSuspicionsOfLiveMembers;
  private long startNanos;

  private ClusterSimulation(Builder b) {
    this.mode = b.mode;
    this.seed = b.seed;
    this.intervalNanos = b.interval.toNanos();
    this.tickNanos = b.tick.toNanos();
    this.detector = b.detector.withInterval(b.interval);
    this.confirmationTime = b.confirmationTime;
    this.clusterSettings = b.clusterSettings;
    this.maxRumorsPerMessage = b.maxRumorsPerMessage;
    this.network = new SimulatedNetwork(b.seed, b.baseDelay.toNanos(), b.jitter.toNanos(), b.loss);
    this.random = new SplittableRandom(b.seed ^ 0x5DEECE66DL);
    List<String> ids = new ArrayList<>(b.members);
    int width = String.valueOf(b.members - 1).length();
    for (int i = 0; i < b.members; i++) {
      ids.add("n" + "0".repeat(width - String.valueOf(i).length()) + i);
    }
    this.faultTopology = ObserverTopology.of(ids, Math.min(b.observers, b.members - 1));
    this.topology = mode == Mode.ALL_TO_ALL ? ObserverTopology.of(ids, b.members) : faultTopology;
    // A tagged heartbeat of our wire format with a short id (WIRE-FORMAT.md), plus UDP/IP headers.
    this.messageBaseBytes = 71 + ids.get(0).length() + 28;
    int n = b.members;
    this.crashedAt = new long[n];
    Arrays.fill(crashedAt, Long.MIN_VALUE);
    this.everPaused = new boolean[n];
    this.falselyFailed = new boolean[n];
    this.sentMessages = new long[n];
    this.sentBytes = new long[n];
    this.members = new Member[n];
    for (int i = 0; i < n; i++) {
      members[i] = new Member(i);
    }
    for (Member m : members) {
      long phase = (long) (random.nextDouble() * intervalNanos);
      network.at(phase, () -> sendHeartbeats(m));
    }
    network.at(tickNanos, this::tickAll);
  }

  /** Returns a builder. */
  public static Builder builder() {
    return new Builder();
  }

  // ---- scenario ----

  /** The topology the members share. */
  public ObserverTopology topology() {
    return topology;
  }

  /** The current simulated time, in nanoseconds from the start. */
  public long nowNanos() {
    return network.nanoTime();
  }

  /** Member {@code index} crashes at {@code at} (from the start): it sends and receives nothing more. */
  public void crash(int index, Duration at) {
    network.at(at.toNanos(), () -> {
      Member m = members[index];
      if (m.crashed) {
        return;
      }
      m.crashed = true;
      crashedAt[index] = network.nanoTime();
      detections.put(index, new long[members.length]);
      Arrays.fill(detections.get(index), Long.MIN_VALUE);
      detectionBounds.put(index, confirmationBound(index));
    });
  }

  /**
   * Member {@code index} stops for {@code length} at {@code at}: sends nothing, runs no timer,
   * and what reaches it waits in its socket buffer until it resumes (a GC pause, SIGSTOP).
   */
  public void pause(int index, Duration at, Duration length) {
    network.at(at.toNanos(), () -> {
      everPaused[index] = true;
      Member m = members[index];
      m.paused = true;
      m.pausedUntil = network.nanoTime() + length.toNanos();
      m.backlog = new ArrayList<>();
    });
    network.at(at.plus(length).toNanos(), () -> resume(members[index]));
  }

  /** From {@code at}, messages from {@code from} to {@code to} are lost (the other way works). */
  public void cutOneWay(int from, int to, Duration at) {
    network.at(at.toNanos(), () -> network.cut(from, to));
  }

  /**
   * Every message to member {@code index} is lost from {@code at} for {@code length} (a receive
   * buffer overflowing, a firewall rule for a while): whatever news went by in between, it missed.
   */
  public void cutInbound(int index, Duration at, Duration length) {
    network.at(at.toNanos(), () -> {
      for (int from = 0; from < members.length; from++) {
        network.cut(from, index);
      }
    });
    network.at(at.plus(length).toNanos(), () -> {
      for (int from = 0; from < members.length; from++) {
        network.heal(from, index);
      }
    });
  }

  /** From {@code at}, every message is lost with probability {@code loss}. */
  public void loss(double loss, Duration at) {
    network.at(at.toNanos(), () -> network.setLoss(loss));
  }

  /**
   * One-way bad links: for {@code fraction} of the members (chosen with the seed), the link from
   * the member to one of its overlay observers is cut at {@code at}. The same links whatever the
   * mode.
   *
   * @return the cut links, as {from, to}
   */
  public List<int[]> cutOneObserverLinkOfFraction(double fraction, Duration at) {
    SplittableRandom r = new SplittableRandom(seed ^ 0xC0FFEEL);
    int[] order = shuffled(r);
    List<int[]> cut = new ArrayList<>();
    for (int i = 0; i < Math.round(fraction * members.length); i++) {
      int from = order[i];
      int[] observers = faultTopology.observers(from);
      int to = observers[r.nextInt(observers.length)];
      cutOneWay(from, to, at);
      cut.add(new int[] {from, to});
    }
    return cut;
  }

  /**
   * Overloaded observers: pauses a set of members such that every member has one of its overlay
   * observers in it, each for {@code length}, starting at a time drawn in {@code [from, from +
   * spread)}. The same members whatever the mode.
   *
   * @return the paused members
   */
  public List<Integer> pauseOneObserverOfEveryMember(Duration from, Duration spread,
      Duration length) {
    SplittableRandom r = new SplittableRandom(seed ^ 0xBADL);
    boolean[] chosen = new boolean[members.length];
    List<Integer> paused = new ArrayList<>();
    for (int s : shuffled(r)) {
      boolean covered = false;
      for (int o : faultTopology.observers(s)) {
        covered |= chosen[o];
      }
      if (!covered) {
        int[] observers = faultTopology.observers(s);
        int o = observers[r.nextInt(observers.length)];
        chosen[o] = true;
        paused.add(o);
      }
    }
    for (int p : paused) {
      pause(p, from.plusNanos((long) (r.nextDouble() * spread.toNanos())), length);
    }
    return paused;
  }

  private int[] shuffled(SplittableRandom r) {
    int[] order = new int[members.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    for (int i = order.length - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** Runs until {@code until} from the start. */
  public void runUntil(Duration until) {
    network.runUntil(until.toNanos(), this::deliver);
  }

  /** Statistics are counted from now on (after a warm-up, say). */
  public void startCounting() {
    Arrays.fill(sentMessages, 0);
    Arrays.fill(sentBytes, 0);
    startNanos = network.nanoTime();
  }

  /** Member {@code index}'s protocol state (to inspect); {@code null} all-to-all. */
  public ClusterNode node(int index) {
    return members[index].cluster;
  }

  /** Member {@code index}'s registry (to inspect). */
  public FailureDetectorRegistry<String> registry(int index) {
    return members[index].registry;
  }

  // ---- the run ----

  private void sendHeartbeats(Member m) {
    if (m.crashed) {
      return;
    }
    network.at(network.nanoTime() + intervalNanos, () -> sendHeartbeats(m));
    m.slot++; // a paused member misses its slot: a gap at the receivers, as over the wire
    if (m.paused) {
      return;
    }
    for (int to : m.heartbeatTargets) {
      send(m, to, m.slot);
    }
  }

  private void send(Member from, int to, long slot) {
    List<Rumor> rumors = List.of();
    if (mode == Mode.OVERLAY) {
      scratch.clear();
      if (from.cluster.takeRumors(topology.id(to), scratch, maxRumorsPerMessage,
          network.nanoTime()) > 0) {
        rumors = List.copyOf(scratch);
      }
    }
    sentMessages[from.index]++;
    // The cluster section: incarnation 8, view digest 8, rumor count 1 (WIRE-FORMAT.md).
    sentBytes[from.index] += messageBaseBytes + (mode == Mode.OVERLAY ? 17 : 0)
        + rumorBytes(rumors);
    long incarnation = from.cluster == null ? 1 : from.cluster.incarnation();
    long digest = from.cluster == null ? 0 : from.cluster.viewDigest();
    network.send(from.index, to, new Message(slot, incarnation, digest, rumors));
  }

  private static int rumorBytes(List<Rumor> rumors) {
    int bytes = 0;
    for (Rumor r : rumors) {
      bytes += 1 + 1 + r.subject().length() + 8 + (r.accuser() == null ? 0 : 1 + r.accuser().length());
    }
    return bytes;
  }

  private void tickAll() {
    long now = network.nanoTime();
    network.at(now + tickNanos, this::tickAll);
    for (Member m : members) {
      if (m.crashed || m.paused) {
        continue;
      }
      m.registryTick.run();
      if (mode == Mode.OVERLAY) {
        m.cluster.tick(now);
        for (String target : m.cluster.gossipTargets(now)) {
          send(m, topology.index(target), 0);
        }
      }
    }
  }

  private void deliver(int from, int to, Message message) {
    Member m = members[to];
    if (m.crashed) {
      return;
    }
    if (m.paused) {
      m.backlog.add(new Object[] {from, message});
      return;
    }
    receive(m, from, message);
  }

  private void receive(Member m, int from, Message message) {
    long now = network.nanoTime();
    if (message.slot() > 0) {
      MonitoredPeer<String> peer = m.watched.get(from);
      if (peer != null) {
        peer.heartbeat(message.slot(), now);
      }
    }
    if (mode == Mode.OVERLAY) {
      m.cluster.heard(topology.id(from), message.incarnation(), now);
      for (Rumor r : message.rumors()) {
        m.cluster.receive(r, topology.id(from), now);
      }
      m.cluster.heardDigest(topology.id(from), message.digest(), now);
    }
  }

  private void resume(Member m) {
    if (m.crashed) {
      return;
    }
    m.paused = false;
    List<Object[]> backlog = m.backlog;
    m.backlog = null;
    for (Object[] queued : backlog) { // read at once on waking, as a socket buffer is
      receive(m, (Integer) queued[0], (Message) queued[1]);
    }
  }

  private void onLocalTransition(Member observer, PeerTransition<String> t) {
    int subject = topology.index(t.key());
    if (t.to() == PeerState.SUSPECTED && isLive(subject)) {
      localSuspicionsOfLiveMembers++;
    }
    if (mode == Mode.OVERLAY) {
      boolean suspected = t.to() == PeerState.SUSPECTED || t.to() == PeerState.FAILED;
      observer.cluster.onLocalState(t.key(), suspected, t.atNanos());
    } else if (t.to() == PeerState.FAILED) {
      verdict(observer.index, subject);
    }
  }

  private void onClusterTransition(int node, MemberTransition t) {
    int member = topology.index(t.member());
    if (t.to() == MemberState.FAILED) {
      verdict(node, member);
    } else if (t.from() == MemberState.FAILED) {
      revivals++;
    }
  }

  private void verdict(int node, int member) {
    long now = network.nanoTime();
    long[] times = detections.get(member);
    if (crashedAt[member] != Long.MIN_VALUE && times != null) {
      if (times[node] == Long.MIN_VALUE) {
        times[node] = now - crashedAt[member];
      }
    } else if (everPaused[member]) {
      pausedConfirmations++;
    } else if (isLive(member)) {
      falseVerdicts++;
      falselyFailed[member] = true;
    }
  }

  private boolean isLive(int member) {
    return crashedAt[member] == Long.MIN_VALUE && !everPaused[member];
  }

  /**
   * When the observers of a member that crashed now should have confirmed it: the {@code
   * needed}-th shortest of their learned timeouts (confirmation waits for that many accusers)
   * plus 2 s; for all-to-all, the shortest timeout plus the confirmation time.
   */
  private long confirmationBound(int member) {
    int[] observers = topology.observers(member);
    long[] timeouts = new long[observers.length];
    for (int i = 0; i < observers.length; i++) {
      MonitoredPeer<String> p = members[observers[i]].watched.get(member);
      timeouts[i] = p == null ? Long.MAX_VALUE : p.timeoutNanos();
    }
    Arrays.sort(timeouts);
    if (mode == Mode.ALL_TO_ALL) {
      return timeouts[0] + confirmationTime.toNanos();
    }
    int needed = members[observers[0]].cluster.view(topology.id(member)).needed();
    return timeouts[Math.min(needed, timeouts.length) - 1] + Duration.ofSeconds(2).toNanos();
  }

  /** What the run showed so far. */
  public SimulationResult result() {
    double seconds = (network.nanoTime() - startNanos) / 1e9;
    long messages = 0;
    long bytes = 0;
    int counted = 0;
    for (int i = 0; i < members.length; i++) {
      if (crashedAt[i] == Long.MIN_VALUE) {
        messages += sentMessages[i];
        bytes += sentBytes[i];
        counted++;
      }
    }
    List<SimulationResult.Crash> crashes = new ArrayList<>();
    for (Map.Entry<Integer, long[]> e : detections.entrySet()) {
      int member = e.getKey();
      long[] times = e.getValue();
      long[] seen = new long[times.length];
      int survivors = 0;
      int confirmed = 0;
      for (int node = 0; node < times.length; node++) {
        if (node == member || crashedAt[node] != Long.MIN_VALUE) {
          continue;
        }
        survivors++;
        if (times[node] != Long.MIN_VALUE) {
          seen[confirmed++] = times[node];
        }
      }
      crashes.add(new SimulationResult.Crash(topology.id(member), survivors,
          Arrays.copyOf(seen, confirmed), detectionBounds.get(member)));
    }
    int falselyFailedMembers = 0;
    for (boolean f : falselyFailed) {
      falselyFailedMembers += f ? 1 : 0;
    }
    int paused = 0;
    for (boolean p : everPaused) {
      paused += p ? 1 : 0;
    }
    long refutations = 0;
    for (Member m : members) {
      if (m.cluster != null) {
        refutations += m.cluster.localHealth().refutations();
      }
    }
    return new SimulationResult(mode, members.length, topology.k(), seconds,
        counted == 0 ? 0 : messages / (double) counted / seconds,
        counted == 0 ? 0 : bytes / (double) counted / seconds,
        crashes, falseVerdicts, falselyFailedMembers, paused, pausedConfirmations, revivals,
        localSuspicionsOfLiveMembers, refutations, network.lost());
  }

  /** Settings of a simulation. */
  public static final class Builder {
    private Mode mode = Mode.OVERLAY;
    private int members = 100;
    private int observers = 8;
    private Duration interval = Duration.ofMillis(200);
    private Duration tick = Duration.ofMillis(20);
    private DetectorSpec detector = DetectorSpec.phi().withWindow(100);
    private Duration confirmationTime = Duration.ofSeconds(10);
    private Duration baseDelay = Duration.ofMillis(1);
    private Duration jitter = Duration.ofMillis(1);
    private double loss;
    private long seed = 1;
    private int maxRumorsPerMessage = 8;
    private Consumer<ClusterNode.Builder> clusterSettings = b -> { };

    /** Overlay (default) or all-to-all. */
    public Builder mode(Mode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** Number of members, 2 to 100,000; default 100. */
    public Builder members(int members) {
      if (members < 2 || members > 100_000) {
        throw new IllegalArgumentException("members must be between 2 and 100000, got " + members);
      }
      this.members = members;
      return this;
    }

    /** Observers per member in the overlay; default 8. */
    public Builder observers(int observers) {
      if (observers < 1 || observers > ObserverTopology.MAX_OBSERVERS) {
        throw new IllegalArgumentException("observers must be between 1 and "
            + ObserverTopology.MAX_OBSERVERS + ", got " + observers);
      }
      this.observers = observers;
      return this;
    }

    /** Heartbeat interval; default 200 ms. */
    public Builder interval(Duration interval) {
      this.interval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /** Registry and protocol tick; default 20 ms. */
    public Builder tick(Duration tick) {
      this.tick = Objects.requireNonNull(tick, "tick");
      return this;
    }

    /** Every member's detector, without interval; default phi with a window of 100. */
    public Builder detector(DetectorSpec detector) {
      this.detector = Objects.requireNonNull(detector, "detector");
      return this;
    }

    /** The registries' confirmation time (all-to-all verdicts); default 10 s. */
    public Builder confirmationTime(Duration confirmationTime) {
      this.confirmationTime = Objects.requireNonNull(confirmationTime, "confirmationTime");
      return this;
    }

    /** Network delay: at least {@code base}, plus exponential jitter of mean {@code jitter}. */
    public Builder delay(Duration base, Duration jitter) {
      this.baseDelay = Objects.requireNonNull(base, "base");
      this.jitter = Objects.requireNonNull(jitter, "jitter");
      return this;
    }

    /** Loss probability of every message from the start, 0 to 1; default 0. */
    public Builder loss(double loss) {
      if (!(loss >= 0 && loss <= 1)) {
        throw new IllegalArgumentException("loss must be between 0 and 1, got " + loss);
      }
      this.loss = loss;
      return this;
    }

    /** Seed of every random choice; default 1. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Most rumors per message; default 8. */
    public Builder maxRumorsPerMessage(int max) {
      this.maxRumorsPerMessage = max;
      return this;
    }

    /** Changes every member's protocol settings (after interval, seed, clock and listener). */
    public Builder cluster(Consumer<ClusterNode.Builder> settings) {
      this.clusterSettings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** Builds the members (at time 0); nothing runs until {@link #runUntil}. */
    public ClusterSimulation build() {
      return new ClusterSimulation(this);
    }
  }
}
