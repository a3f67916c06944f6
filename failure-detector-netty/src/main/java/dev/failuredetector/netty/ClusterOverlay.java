package dev.failuredetector.netty;

import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.MonitoredPeer;
import dev.failuredetector.NanoClock;
import dev.failuredetector.PeerState;
import dev.failuredetector.PeerTransition;
import dev.failuredetector.cluster.ClusterListener;
import dev.failuredetector.cluster.ClusterNode;
import dev.failuredetector.cluster.ClusterStats;
import dev.failuredetector.cluster.MemberTransition;
import dev.failuredetector.cluster.MemberView;
import dev.failuredetector.cluster.ObserverTopology;
import dev.failuredetector.cluster.Rumor;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A node's part of the cluster overlay over the real transport: a {@link ClusterNode} run on the
 * node's event loop, fed by the registry's transitions (this node's verdicts on the members it
 * observes) and by the rumors on the messages it receives; it says whom the node heartbeats (its
 * observers, not everyone) and which rumors each message carries, and sends GOSSIP messages for
 * the rest. When the membership changes (peers added or removed) it recomputes the topology and
 * registers in the registry exactly the members this node now observes.
 *
 * <p>Event loop only, except {@link #membershipChanged}, {@link #received} (they hop to the loop)
 * and the views ({@link #views}, {@link #localHealth}), which read a snapshot published each tick.
 */
final class ClusterOverlay {

  /** Sends one GOSSIP message to a peer; event loop only. */
  interface GossipSender {
    void send(RemotePeer peer, long clusterIncarnation, long viewDigest, List<Rumor> rumors);
  }

  private final String localId;
  private final int observers;
  private final long intervalNanos;
  private final long tickNanos;
  private final NanoClock clock;
  private final FailureDetectorRegistry<String> registry;
  private final RemotePeers peers;
  private final Consumer<ClusterNode.Builder> settings;
  private final long firstIncarnation;

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClusterOverlay.class);

  private EventLoop loop;
  private GossipSender gossip;
  private boolean stopped;
  private boolean tickFailureLogged;
  private ClusterNode node;
  private Set<String> heartbeatTargets = Set.of();
  private boolean membershipDirty = true;
  /** {@link ClusterNode#changes()} when the views were last published; -1: publish next tick. */
  private long publishedChanges = -1;
  private final List<Rumor> scratch = new ArrayList<>(WireCodec.MAX_RUMORS);
  private volatile Map<String, MemberView> views = Map.of();
  private volatile ClusterStats stats;
  private volatile int localHealth;
  private volatile List<String> subjects = List.of();
  /** Event loop: observers and subjects of this node, the random gossip's candidates. */
  private List<String> neighbours = List.of();
  private final List<ClusterListener> listeners = new CopyOnWriteArrayList<>();

  ClusterOverlay(String localId, int observers, Duration interval, NanoClock clock,
      FailureDetectorRegistry<String> registry, RemotePeers peers,
      Consumer<ClusterNode.Builder> settings) {
    this.localId = localId;
    this.observers = observers;
    this.intervalNanos = interval.toNanos();
    this.tickNanos = Math.max(Duration.ofMillis(5).toNanos(), intervalNanos / 10);
    this.clock = clock;
    this.registry = registry;
    this.peers = peers;
    this.settings = settings;
    // Above every incarnation of this member's earlier lives (they started earlier).
    this.firstIncarnation = Math.max(1, System.currentTimeMillis());
    registry.addListener(this::localTransition);
  }

  /** Starts the ticks on {@code loop}; membership is computed now. */
  void start(EventLoop loop, GossipSender gossip) {
    this.loop = loop;
    this.gossip = gossip;
    loop.execute(this::tick);
  }

  /** Event loop: no more ticks or messages (the node is closing; the loop may be yours). */
  void stop() {
    stopped = true;
  }

  /** Peers were added or removed (any thread): the topology is recomputed at the next tick. */
  void membershipChanged() {
    EventLoop l = loop;
    if (l == null) {
      membershipDirty = true;
    } else {
      l.execute(() -> membershipDirty = true);
    }
  }

  /** Event loop: whether this node sends heartbeats to {@code peer} (it observes this node). */
  boolean heartbeatsTo(String peer) {
    return heartbeatTargets.contains(peer);
  }

  /** Event loop: this node's cluster incarnation, carried by every message. */
  long incarnation() {
    return node == null ? firstIncarnation : node.incarnation();
  }

  /** Event loop: this node's view digest, carried by every message (anti-entropy). */
  long viewDigest() {
    return node == null ? 0 : node.viewDigest();
  }

  /** Event loop: the rumors for one message to {@code peer} (a list reused by the next call). */
  List<Rumor> rumorsFor(String peer) {
    scratch.clear();
    if (node != null) {
      node.takeRumors(peer, scratch, WireCodec.MAX_RUMORS, clock.nanoTime());
    }
    return scratch;
  }

  /**
   * A fresh message of {@code sender} carried its cluster incarnation, its view digest and these
   * rumors.
   */
  void received(String sender, long clusterIncarnation, long viewDigest, List<Rumor> rumors) {
    EventLoop l = loop;
    if (l == null) {
      return;
    }
    if (!l.inEventLoop()) {
      List<Rumor> copy = List.copyOf(rumors);
      l.execute(() -> received(sender, clusterIncarnation, viewDigest, copy));
      return;
    }
    if (node == null) {
      return;
    }
    long now = clock.nanoTime();
    node.heard(sender, clusterIncarnation, now);
    for (Rumor rumor : rumors) {
      node.receive(rumor, sender, now);
    }
    node.heardDigest(sender, viewDigest, now); // after its rumors: they may make the views agree
  }

  /**
   * {@code peer} sent a message that does not echo this node (any thread): send it a GOSSIP,
   * which teaches it this node's incarnation, at most once an interval per peer. Without it a
   * member that heartbeats this node but hears nothing back (it does not observe this node) would
   * never learn what to echo. Bounded: one message of about the same size per peer per interval,
   * to the peer's configured address, not to the source of the message.
   */
  void echoWanted(RemotePeer peer) {
    EventLoop l = loop;
    if (l == null) {
      return;
    }
    if (!l.inEventLoop()) {
      l.execute(() -> echoWanted(peer));
      return;
    }
    long now = clock.nanoTime();
    if (peer.echoNudgedAtNanos != Long.MIN_VALUE && now - peer.echoNudgedAtNanos < intervalNanos) {
      return;
    }
    peer.echoNudgedAtNanos = now;
    if (peers.get(peer.id) == peer) {
      gossip.send(peer, incarnation(), viewDigest(), rumorsFor(peer.id));
    }
  }

  private void localTransition(PeerTransition<String> transition) {
    EventLoop l = loop;
    if (l == null) {
      return;
    }
    l.execute(() -> {
      if (node != null) {
        boolean suspected = transition.to() == PeerState.SUSPECTED
            || transition.to() == PeerState.FAILED;
        node.onLocalState(transition.key(), suspected, clock.nanoTime());
      }
    });
  }

  private void tick() {
    if (stopped) {
      return;
    }
    try {
      long now = clock.nanoTime();
      if (membershipDirty) {
        membershipDirty = false;
        rebuild(now);
      }
      node.tick(now);
      // Random gossip goes to members whose incarnation we know (the ones we observe, the ones
      // that observe us): a message to a member never heard from cannot echo it and is dropped.
      if (node.queuedRumors() > 0) { // else nothing to gossip: no candidate list to build
        for (String target : node.gossipTargets(now, reachableNeighbours())) {
          RemotePeer peer = peers.get(target);
          if (peer != null) {
            gossip.send(peer, node.incarnation(), node.viewDigest(), rumorsFor(target));
          }
        }
      }
      publish();
    } catch (RuntimeException e) {
      // A bug must not stop the protocol for good: log once, tick on.
      if (!tickFailureLogged) {
        tickFailureLogged = true;
        LOG.error("Cluster overlay tick failed; it goes on, further failures not logged", e);
      }
    } finally {
      loop.schedule(this::tick, tickNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** This node's observers and subjects whose incarnation it knows (about 2k members). */
  private List<String> reachableNeighbours() {
    List<String> out = new ArrayList<>(neighbours.size());
    for (String member : neighbours) {
      RemotePeer peer = peers.get(member);
      if (peer != null && peer.heardIncarnation() != 0) {
        out.add(member);
      }
    }
    return out;
  }

  private void rebuild(long now) {
    List<String> members = new ArrayList<>();
    members.add(localId);
    for (RemotePeer peer : peers.all()) {
      members.add(peer.id);
    }
    ObserverTopology topology = ObserverTopology.of(members, observers);
    if (node == null) {
      ClusterNode.Builder b = ClusterNode.builder(topology, localId)
          .interval(java.time.Duration.ofNanos(intervalNanos))
          .incarnation(firstIncarnation)
          .now(now);
      settings.accept(b);
      node = b.listener(this::changed).build();
    } else {
      node = node.withTopology(topology);
    }
    heartbeatTargets = new HashSet<>(topology.observersOf(localId));
    Set<String> observed = new HashSet<>(topology.subjectsOf(localId));
    for (RemotePeer peer : peers.all()) {
      boolean observe = observed.contains(peer.id);
      MonitoredPeer<String> handle = peer.handle;
      if (observe && handle == null) {
        peer.handle = registry.register(peer.id);
      } else if (!observe && handle != null) {
        peer.handle = null;
        registry.remove(peer.id);
      }
    }
    subjects = List.copyOf(topology.subjectsOf(localId));
    publishedChanges = -1; // members came or went: the views change whatever the count says
    Set<String> both = new HashSet<>(heartbeatTargets);
    both.addAll(subjects);
    neighbours = List.copyOf(both);
  }

  /**
   * Publishes the counts and the local-health score every tick (cheap; the score heals with time
   * alone), and the views of every member only when some changed (a copy of N views).
   */
  private void publish() {
    stats = node.stats();
    localHealth = node.localHealth().score();
    if (node.changes() == publishedChanges) {
      return;
    }
    publishedChanges = node.changes();
    Map<String, MemberView> next = new HashMap<>();
    for (String member : node.topology().members()) {
      if (!member.equals(localId)) {
        next.put(member, node.view(member));
      }
    }
    views = Map.copyOf(next);
  }

  private void changed(MemberTransition transition) {
    for (ClusterListener listener : listeners) {
      try {
        listener.onMemberTransition(transition);
      } catch (RuntimeException e) {
        // a listener's failure must not stop the protocol; it is the listener's to log
      }
    }
  }

  /** Tells {@code listener} of every confirmed-view change, on the node's event loop. */
  void addListener(ClusterListener listener) {
    listeners.add(listener);
  }

  /** The confirmed view of every member but this node (any thread; as of the last tick). */
  Map<String, MemberView> views() {
    return views;
  }

  /** This node's local-health score (any thread). */
  int localHealth() {
    return localHealth;
  }

  /** Protocol counts (any thread; null before the first tick). */
  ClusterStats stats() {
    return stats;
  }

  /** The members this node observes (any thread). */
  List<String> subjects() {
    return subjects;
  }

  /** Observers per member as configured. */
  int observers() {
    return observers;
  }
}
