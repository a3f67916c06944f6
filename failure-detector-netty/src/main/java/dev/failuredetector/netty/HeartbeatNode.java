package dev.failuredetector.netty;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.IntervalHistogram;
import dev.failuredetector.MonitoredPeer;
import dev.failuredetector.NanoClock;
import dev.failuredetector.cluster.ClusterNode;
import dev.failuredetector.cluster.ClusterStats;
import dev.failuredetector.cluster.MemberView;
import dev.failuredetector.cluster.ObserverTopology;
import dev.failuredetector.netty.internal.ConnectionGuard;
import dev.failuredetector.netty.internal.IoChannels;
import dev.failuredetector.probe.ProbeSchedule;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A node that sends heartbeats to its peers and monitors theirs, over UDP or TCP: what a service
 * adds to get failure detection without writing network code.
 *
 * <p>It sends a HEARTBEAT to each peer every {@code interval}, on a fixed-rate schedule whose
 * rounds are each delayed by a random {@code jitter} (so a cluster does not synchronise, and the
 * mean period is the interval), in the wire format of WIRE-FORMAT.md, tagged with HMAC-SHA256 when
 * it has a {@link KeyRing}; each peer gets its own sequence numbers (+1 per message to it). The
 * interval is configured here only: the node gives it to the detector spec. What it receives feeds
 * its {@link #registry()} through each peer's handle: heartbeats (with the sender's incarnation
 * and sequence, so a restart is reported RESTARTED), and GOODBYEs, which mark the sender LEFT at
 * once. {@link #close()} sends a GOODBYE to every peer first. Malformed, unauthenticated or
 * unknown-sender messages are dropped and counted ({@link #stats()}); stale ones by the registry.
 * See {@link HeartbeatNodeMetrics} for Micrometer.
 *
 * <p>Over {@link Transport#TCP TCP} the node listens on its bind address and keeps one connection
 * to each peer, reconnecting with jittered exponential backoff; a peer whose port refuses the
 * connection is marked FAILED (CONNECTION_REFUSED) at once, long before its timeout.
 *
 * <p><b>Probes.</b> A target that runs nothing of ours is watched by {@linkplain #addProbe probing}
 * it ({@link ProbeTarget}: a UDP ping answered by a node, a TCP connect, an HTTP GET) every
 * interval, on a schedule of its own with a random phase: each answer is an arrival for the
 * target's detector, so its timeout is learned from the target's own answer times, exactly as a
 * peer's from its heartbeats; it is in the same registry, under its id, with the same states,
 * listeners, metrics and health endpoints. At most {@code maxOutstanding} probes of a target wait
 * for an answer, each for at most the cap ({@link Builder#probeLimits}). A UDP node answers the
 * PINGs of other nodes' probes with an ACK ({@link Builder#answerPings}).
 *
 * <p><b>Embedding.</b> The node can run on an {@link EventLoopGroup} and a {@link
 * FailureDetectorRegistry} of yours (neither is closed by {@link #close()}), and {@link
 * #newInboundHandler()} with {@link HeartbeatFraming} puts its heartbeats into a pipeline of yours.
 *
 * <p>Thread-safe. One Netty event loop (one thread) does all the sending and receiving of the
 * node's own channels.
 */
public final class HeartbeatNode implements AutoCloseable {

  private final String localId;
  private final InetSocketAddress bindAddress;
  private final Transport transport;
  private final long intervalNanos;
  private final double jitter;
  private final long incarnation;
  private final KeyRing keys;
  private final boolean requireAuthentication;
  private final NodeTransport net;
  private final FailureDetectorRegistry<String> registry;
  private final boolean ownsRegistry;
  private final EventLoopGroup externalGroup;
  private final IoChannels io;
  /** The periodic authentication-failure check; cancelled on close (the group may be shared). */
  private volatile java.util.concurrent.Future<?> authenticationCheck;
  private final NanoClock clock;
  private final RemotePeers peers = new RemotePeers();
  private final TransportCounters counters = new TransportCounters();
  private final SplittableRandom random = new SplittableRandom();
  private final Map<String, ProbeRunner> probes = new ConcurrentHashMap<>();
  private final UdpProbes udpProbes = new UdpProbes();
  private final boolean answerPings;
  private final int probeMaxOutstanding;
  private final long probeCapNanos;
  /** Told of each probe added and removed (the metrics binder's per-target meters). */
  private final List<ProbeWatcher> probeWatchers = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Encodes the PINGs of udp:// probes; event loop only. */
  private final WireCodec probeCodec;
  /** The cluster overlay, or null (every peer heartbeats every other, today's default). */
  private final ClusterOverlay overlay;

  private EventLoopGroup group;
  private volatile EventLoop eventLoop;
  private Channel channel;
  private HeartbeatSender sender;
  private volatile boolean closed;

  private HeartbeatNode(Builder builder, FailureDetectorRegistry<String> registry,
      IoChannels io) {
    this.localId = builder.localId;
    this.bindAddress = builder.bindAddress;
    this.transport = builder.transport;
    this.intervalNanos = builder.intervalNanos;
    this.jitter = builder.jitter;
    this.incarnation = builder.incarnation != 0 ? builder.incarnation : randomIncarnation();
    this.keys = builder.keys;
    this.requireAuthentication = builder.keys != null;
    if (transport == Transport.UDP) {
      this.net = new UdpNodeTransport(counters);
    } else {
      long firstFrameNanos = Math.min(builder.inboundIdleNanos,
          Math.max(Duration.ofSeconds(2).toNanos(), 3 * builder.intervalNanos));
      this.net = new TcpNodeTransport(counters, ConnectionGuard.builder("inbound heartbeat TCP")
          .maxConnections(builder.maxInboundConnections)
          .maxPerSource(builder.maxInboundPerSource)
          .firstMessageDeadline(Duration.ofNanos(firstFrameNanos))
          .idleTimeout(Duration.ofNanos(builder.inboundIdleNanos))
          .build(), builder.refusedIsFailure, builder.reconnectMinNanos,
          builder.reconnectMaxNanos, random.split());
    }
    this.registry = registry;
    this.clock = registry.clock(); // arrival times on the clock of the registry's deadlines
    this.ownsRegistry = builder.externalRegistry == null;
    this.externalGroup = builder.group;
    this.io = io;
    this.answerPings = builder.answerPings;
    this.probeMaxOutstanding = builder.probeMaxOutstanding;
    this.probeCapNanos = builder.probeCapNanos != 0 ? builder.probeCapNanos
        : defaultProbeCapNanos(intervalNanos);
    this.probeCodec = new WireCodec(keys, requireAuthentication);
    this.overlay = builder.observers == 0 ? null : new ClusterOverlay(localId, builder.observers,
        Duration.ofNanos(intervalNanos), clock, registry, peers, builder.clusterSettings);
    builder.peers.forEach(this::addPeer);
    builder.probes.forEach(this::addProbe);
  }

  /** Five intervals, at least 1 s and at most 1 min: a slow answer still counts, late. */
  static long defaultProbeCapNanos(long intervalNanos) {
    return Math.max(Duration.ofSeconds(1).toNanos(),
        Math.min(Duration.ofMinutes(1).toNanos(), 5 * intervalNanos));
  }

  /**
   * The cap on a probe's wait for its answer when none is set: five intervals, at least 1 s and
   * at most 1 min (a slow answer still counts, as a late arrival).
   */
  public static Duration defaultProbeCap(Duration interval) {
    return Duration.ofNanos(defaultProbeCapNanos(interval.toNanos()));
  }

  private static long randomIncarnation() {
    long value;
    do {
      value = new java.security.SecureRandom().nextLong();
    } while (value == 0);
    return value;
  }

  /** Returns a builder. {@code localId} and {@code bind} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds the socket and starts sending.
   *
   * @throws IllegalStateException if started twice or after close
   * @throws UncheckedIOException if the address cannot be bound (it says which)
   * @throws InterruptedException if interrupted while binding
   */
  public synchronized HeartbeatNode start() throws InterruptedException {
    if (group != null || closed) {
      throw new IllegalStateException("start() once, before close()");
    }
    group = externalGroup != null ? externalGroup : io.newGroup("fd-node-" + localId);
    EventLoop loop = group.next();
    try {
      channel = net.bind(io, loop, bindAddress, newReceiver());
    } catch (RuntimeException | InterruptedException e) {
      if (externalGroup == null) {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      }
      throw e; // eventLoop stays null: nothing to say goodbye with, close() releases the rest
    }
    sender = new HeartbeatSender(localId, incarnation, new WireCodec(keys, requireAuthentication),
        peers, channel.alloc(), loop,
        new SendSchedule(intervalNanos, jitter, random.split(), clock.nanoTime()), counters, clock,
        overlay);
    eventLoop = loop;
    AuthenticationFailures authentication = new AuthenticationFailures(localId, counters);
    loop.execute(() -> {
      peers.all().forEach(this::openLink);
      probes.values().forEach(this::startProbe);
      if (overlay != null) {
        overlay.start(loop, sender::sendGossip);
      }
      sender.round();
    });
    authenticationCheck = loop.scheduleAtFixedRate(() -> authentication.check(clock.nanoTime()),
        AuthenticationFailures.PERIOD_SECONDS, AuthenticationFailures.PERIOD_SECONDS,
        TimeUnit.SECONDS);
    return this;
  }

  private HeartbeatReceiver newReceiver() {
    Consumer<RemotePeer> heard = transport == Transport.TCP ? this::peerHeard : peer -> { };
    return new HeartbeatReceiver(new WireCodec(keys, requireAuthentication), peers, clock,
        counters, incarnation, heard, localId, udpProbes, answerPings, overlay);
  }

  /**
   * A handler that feeds this node what a channel of yours receives: UDP datagrams, or TCP frames
   * cut by {@link HeartbeatFraming#decoder()}. One per channel; on any event loop.
   */
  public HeartbeatInboundHandler newInboundHandler() {
    return new HeartbeatInboundHandler(newReceiver(), counters);
  }

  /** Event loop only. */
  private void openLink(RemotePeer peer) {
    if (closed || peer.link != null || peers.get(peer.id) != peer) {
      return;
    }
    peer.link = net.open(peer);
  }

  /** A fresh message from {@code peer} arrived: a TCP link waiting to reconnect may try now. */
  private void peerHeard(RemotePeer peer) {
    PeerLink link = peer.link;
    EventLoop loop = eventLoop;
    if (link == null || loop == null) {
      return;
    }
    if (loop.inEventLoop()) {
      link.peerHeard();
    } else {
      loop.execute(link::peerHeard); // a handler of yours on another loop
    }
  }

  /** The address the socket (UDP) or listening socket (TCP) is bound to (the real port when bound to port 0). */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) channel.localAddress();
  }

  /**
   * Starts monitoring and sending to a peer; idempotent (a known id keeps its first address).
   *
   * @throws IllegalArgumentException if the id is not a valid sender id (WIRE-FORMAT.md)
   * @throws IllegalStateException if the registry is full ({@code maxPeers})
   */
  public void addPeer(String id, InetSocketAddress address) {
    Objects.requireNonNull(address, "address");
    WireMessage.checkSenderId(id);
    if (peers.get(id) != null) {
      return;
    }
    if (probes.containsKey(id)) {
      throw new IllegalArgumentException("peer " + id + ": " + id + " is a probed target already");
    }
    // With the overlay, the registry holds only the members this node observes (it registers them).
    MonitoredPeer<String> handle = overlay == null ? registry.register(id) : null;
    RemotePeer peer = peers.add(new RemotePeer(id, address, handle));
    if (overlay != null) {
      overlay.membershipChanged();
    }
    EventLoop loop = eventLoop;
    if (loop != null) {
      loop.execute(() -> openLink(peer));
    }
  }

  /**
   * Starts probing a target that runs nothing of ours (see the class comment), monitored in the
   * registry under {@code id}. Idempotent for the same id and target.
   *
   * @throws IllegalArgumentException if the id is not 1 to 64 bytes of UTF-8, is a peer's or
   *     another target's, a {@code udp://} target on a TCP node, or another {@code udp://} probe
   *     has that address
   * @throws IllegalStateException if the registry is full ({@code maxPeers})
   */
  public void addProbe(String id, ProbeTarget target) {
    Objects.requireNonNull(target, "target");
    WireMessage.checkSenderId(id);
    if (target.kind() == ProbeTarget.Kind.UDP && transport != Transport.UDP) {
      throw new IllegalArgumentException("probe " + id + " (" + target + "): udp:// probes need"
          + " a UDP node (the ACK comes back to the node's socket); this node is " + transport);
    }
    if (peers.get(id) != null) {
      throw new IllegalArgumentException("probe " + id + ": " + id + " is a peer already");
    }
    synchronized (probes) {
      ProbeRunner existing = probes.get(id);
      if (existing != null) {
        if (existing.target.equals(target)) {
          return;
        }
        throw new IllegalArgumentException("probe " + id + ": already probes " + existing.target
            + " (remove it first)");
      }
      for (ProbeRunner other : probes.values()) {
        if (target.kind() == ProbeTarget.Kind.UDP && other.target.kind() == ProbeTarget.Kind.UDP
            && other.target.address().equals(target.address())) {
          throw new IllegalArgumentException("probe " + id + ": probe " + other.id + " targets "
              + target.address() + " already (one udp:// probe per address: ACKs are matched"
              + " by address)");
        }
      }
      ProbeRunner runner = new ProbeRunner(id, target, registry.register(id), clock);
      probes.put(id, runner);
      probeWatchers.forEach(watcher -> watcher.added(runner));
    }
    EventLoop loop = eventLoop;
    if (loop != null) {
      loop.execute(() -> startProbe(probes.get(id)));
    }
  }

  /** Event loop only: starts a probe added before start or since. */
  private void startProbe(ProbeRunner runner) {
    if (closed || runner == null || runner.started() || probes.get(runner.id) != runner) {
      return;
    }
    EventLoop loop = eventLoop;
    TargetProbe kind = switch (runner.target.kind()) {
      case UDP -> {
        UdpPingProbe ping = new UdpPingProbe(runner, channel, probeCodec, localId, incarnation,
            ThreadLocalRandom.current().nextLong(1L << 62), clock, counters);
        try {
          udpProbes.add(ping, runner.target.address(), runner.id);
        } catch (IllegalArgumentException e) {
          probes.remove(runner.id, runner);
          registry.remove(runner.id);
          yield null; // refused at add time when configured together; a race otherwise
        }
        yield ping;
      }
      case TCP -> new TcpConnectProbe(runner, io, loop, probeCapNanos, counters);
      case HTTP -> new HttpGetProbe(runner, io, loop, probeCapNanos, counters);
    };
    if (kind == null) {
      return;
    }
    long now = clock.nanoTime();
    runner.start(loop, new ProbeSchedule(Duration.ofNanos(intervalNanos), probeMaxOutstanding,
        Duration.ofNanos(probeCapNanos), ThreadLocalRandom.current().nextLong(intervalNanos), now),
        kind);
  }

  /** What the probes of each target came to, by id (empty without probes). */
  public List<ProbeStats> probeStats() {
    List<ProbeStats> all = new ArrayList<>(probes.size());
    for (ProbeRunner runner : probes.values()) {
      all.add(runner.stats());
    }
    return all;
  }

  /** What the probes of target {@code id} came to, or empty if it is not a probe target. */
  public Optional<ProbeStats> probeStats(String id) {
    ProbeRunner runner = id == null ? null : probes.get(id);
    return runner == null ? Optional.empty() : Optional.of(runner.stats());
  }

  /** Who is told of probes added and removed. */
  interface ProbeWatcher {
    void added(ProbeRunner probe);

    void removed(ProbeRunner probe);
  }

  /** Tells {@code watcher} of every probe now and of each added or removed from now on. */
  void watchProbes(ProbeWatcher watcher) {
    synchronized (probes) {
      probeWatchers.add(watcher);
      probes.values().forEach(watcher::added);
    }
  }

  /**
   * Stops monitoring a peer or a probed target: no more heartbeats to it (a TCP connection to it
   * is closed) or probes of it.
   */
  public void removePeer(String id) {
    ProbeRunner probe;
    synchronized (probes) {
      probe = id == null ? null : probes.remove(id);
      if (probe != null) {
        probeWatchers.forEach(watcher -> watcher.removed(probe));
      }
    }
    if (probe != null) {
      registry.remove(id);
      EventLoop loop = eventLoop;
      if (loop != null) {
        loop.execute(() -> {
          probe.close();
          // udp probes are found by address: forget this one's
          udpProbes.removeRunner(probe);
        });
      }
      return;
    }
    RemotePeer peer = peers.remove(id);
    if (peer == null) {
      return;
    }
    registry.remove(id);
    if (overlay != null) {
      overlay.membershipChanged();
    }
    EventLoop loop = eventLoop;
    if (loop != null) {
      loop.execute(() -> {
        PeerLink link = peer.link;
        if (link != null) {
          link.close();
        }
      });
    }
  }

  /**
   * The cluster overlay's confirmed view of every other member, by id (as of its last tick, every
   * interval / 10); empty without the overlay ({@link Builder#observers}).
   */
  public Map<String, MemberView> clusterView() {
    return overlay == null ? Map.of() : overlay.views();
  }

  /** The overlay's view of member {@code id}; empty without the overlay or for a stranger. */
  public Optional<MemberView> clusterView(String id) {
    return overlay == null ? Optional.empty() : Optional.ofNullable(overlay.views().get(id));
  }

  /**
   * This node's local-health score with the overlay (0 healthy, up to 8: how much it distrusts
   * itself, {@link dev.failuredetector.cluster.LocalHealth}); -1 without the overlay.
   */
  public int localHealth() {
    return overlay == null ? -1 : overlay.localHealth();
  }

  /** The overlay's protocol counts; empty without the overlay or before it started. */
  public Optional<ClusterStats> clusterStats() {
    return overlay == null ? Optional.empty() : Optional.ofNullable(overlay.stats());
  }

  /**
   * Tells {@code listener} of every change of the overlay's confirmed view (a member confirmed
   * failed, back alive), on the node's event loop: it must not block.
   *
   * @throws IllegalStateException without the overlay
   */
  public void addClusterListener(dev.failuredetector.cluster.ClusterListener listener) {
    if (overlay == null) {
      throw new IllegalStateException("no cluster overlay: build the node with observers(k)");
    }
    overlay.addListener(Objects.requireNonNull(listener, "listener"));
  }

  /** Observers per member with the overlay; 0 without (all-to-all). */
  public int observers() {
    return overlay == null ? 0 : overlay.observers();
  }

  /** The members this node observes with the overlay (runs a detector on); all peers without. */
  public List<String> observed() {
    if (overlay == null) {
      List<String> all = new ArrayList<>();
      peers.all().forEach(peer -> all.add(peer.id));
      return all;
    }
    return overlay.subjects();
  }

  /** The registry of peers this node monitors. */
  public FailureDetectorRegistry<String> registry() {
    return registry;
  }

  /** The node's id. */
  public String localId() {
    return localId;
  }

  /** This run's incarnation (sent in every message). */
  public long incarnation() {
    return incarnation;
  }

  /** What this node keeps about peer {@code id}, or null (tests of the receive path read it). */
  RemotePeer remotePeer(String id) {
    return peers.get(id);
  }

  /** The transport this node uses. */
  public Transport transport() {
    return transport;
  }

  /** The node's event loop once started, else null: for tests in this package. */
  EventLoop eventLoop() {
    return eventLoop;
  }

  /** The I/O transport the node's sockets run on: {@link IoMode#EPOLL} or {@link IoMode#NIO}. */
  public IoMode io() {
    return io.mode();
  }

  /** The heartbeat interval, the one the node gives to its detectors. */
  public Duration interval() {
    return Duration.ofNanos(intervalNanos);
  }

  /** The transport's counters now, as one snapshot (O(1)). */
  public TransportStats stats() {
    HeartbeatSender rounds = sender;
    return counters.snapshot(net.inboundGuard(), net.inboundOpen(),
        rounds == null ? 0 : rounds.skippedRounds());
  }

  /**
   * Sends GOODBYE to every peer (waiting up to a second for it to leave), then stops sending,
   * receiving and (unless it was given one) the registry and the event loop group. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    EventLoop loop = eventLoop;
    List<ChannelFuture> goodbyes = new ArrayList<>();
    if (loop != null) {
      try {
        // On the event loop, so that no heartbeat round can run after the GOODBYE.
        loop.submit(() -> {
          closed = true;
          if (overlay != null) {
            overlay.stop();
          }
          sender.stopWithGoodbye(goodbyes);
        }).sync();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        for (ChannelFuture goodbye : goodbyes) {
          goodbye.awaitUninterruptibly(
              Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        loop.submit(() -> {
          probes.values().forEach(ProbeRunner::close);
          for (RemotePeer peer : peers.all()) {
            PeerLink link = peer.link;
            if (link != null) {
              link.close();
            }
          }
          // Closing the listening socket leaves the accepted ones open: a peer writing on one
          // would never notice this node is gone (nor reach the node that replaces it).
          net.closeInbound();
        }).sync();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    closed = true;
    java.util.concurrent.Future<?> check = authenticationCheck;
    if (check != null) {
      check.cancel(false);
    }
    if (channel != null) {
      channel.close().awaitUninterruptibly();
    }
    if (group != null && externalGroup == null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
    if (ownsRegistry) {
      registry.close();
    }
  }

  /** Settings of a {@link HeartbeatNode}; each setter checks its value at once. */
  public static final class Builder {
    private String localId;
    private InetSocketAddress bindAddress;
    private Transport transport = Transport.UDP;
    private boolean refusedIsFailure = true;
    private long reconnectMinNanos = Duration.ofMillis(100).toNanos();
    private long reconnectMaxNanos = Duration.ofSeconds(5).toNanos();
    private int maxInboundConnections = 1024;
    private int maxInboundPerSource = 8;
    private long inboundIdleNanos = Duration.ofSeconds(60).toNanos();
    private long intervalNanos = DetectorSpec.DEFAULT_INTERVAL.toNanos();
    private double jitter = 0.1;
    private long incarnation; // 0: a random one at build()
    private boolean insecure;
    private KeyRing keys;
    private Consumer<FailureDetectorRegistry.Builder> registrySettings;
    private FailureDetectorRegistry<String> externalRegistry;
    private EventLoopGroup group;
    private IoMode io = IoMode.AUTO;
    private final Map<String, InetSocketAddress> peers = new ConcurrentHashMap<>();
    private final Map<String, ProbeTarget> probes = new java.util.LinkedHashMap<>();
    private boolean answerPings = true;
    private int probeMaxOutstanding = 4;
    private long probeCapNanos; // 0: defaultProbeCapNanos(interval)
    private int observers; // 0: no overlay
    private Consumer<ClusterNode.Builder> clusterSettings = b -> { };

    private Builder() {}

    /** This node's id, sent in every message (1 to 64 bytes of UTF-8). */
    public Builder localId(String localId) {
      this.localId = WireMessage.checkSenderId(localId);
      return this;
    }

    /**
     * Where to bind: the UDP socket, or the TCP listening socket that peers connect to (port 0 for
     * any free port).
     */
    public Builder bind(InetSocketAddress bindAddress) {
      this.bindAddress = Objects.requireNonNull(bindAddress, "bind");
      return this;
    }

    /** UDP (default) or TCP; every node of a cluster must use the same. */
    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /**
     * TCP only: whether a refused connection marks a peer that was heard from FAILED at once
     * (reason CONNECTION_REFUSED); default true. Turn it off where something else may hold the
     * port while the peer lives elsewhere.
     */
    public Builder refusedConnectionIsFailure(boolean refusedIsFailure) {
      this.refusedIsFailure = refusedIsFailure;
      return this;
    }

    /**
     * TCP only: wait between reconnect attempts, doubling from {@code min} to {@code max} with
     * random jitter (each wait is between half and all of the doubled value); default 100 ms to
     * 5 s. A peer heard from again is reconnected at once.
     *
     * @throws IllegalArgumentException unless {@code 1 ms <= min <= max <= 10 min}
     */
    public Builder reconnectBackoff(Duration min, Duration max) {
      Objects.requireNonNull(min, "min");
      Objects.requireNonNull(max, "max");
      if (min.compareTo(Duration.ofMillis(1)) < 0 || max.compareTo(min) < 0
          || max.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException(
            "reconnectBackoff needs 1 ms <= min <= max <= 10 min, got min " + min + ", max " + max);
      }
      this.reconnectMinNanos = min.toNanos();
      this.reconnectMaxNanos = max.toNanos();
      return this;
    }

    /**
     * TCP only: most inbound connections open at once (one per peer is normal); at the bound the
     * one idle the longest (no complete frame for the longest time) is closed to admit the
     * newcomer, so strangers holding sockets cannot lock an honest peer out; default 1024.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxInboundConnections(int maxInboundConnections) {
      if (maxInboundConnections < 1) {
        throw new IllegalArgumentException(
            "maxInboundConnections must be at least 1, got " + maxInboundConnections);
      }
      this.maxInboundConnections = maxInboundConnections;
      return this;
    }

    /**
     * TCP only: most inbound connections from one source address; beyond, that source's longest
     * idle one is closed; default 8.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxInboundPerSource(int maxInboundPerSource) {
      if (maxInboundPerSource < 1) {
        throw new IllegalArgumentException(
            "maxInboundPerSource must be at least 1, got " + maxInboundPerSource);
      }
      this.maxInboundPerSource = maxInboundPerSource;
      return this;
    }

    /**
     * TCP only: an inbound connection that delivers no complete, authentic frame for this long is
     * closed (trickled bytes do not count; its peer reconnects when it sends again); default 60 s.
     * Must be at least twice the interval. The first frame is due within 3 intervals of the accept
     * (at least 2 s, at most this timeout).
     *
     * @throws IllegalArgumentException if not between 1 s and 1 h
     */
    public Builder inboundIdleTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "inboundIdleTimeout");
      if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException(
            "inboundIdleTimeout must be between 1 s and 1 h, got " + readable(timeout));
      }
      this.inboundIdleNanos = timeout.toNanos();
      return this;
    }

    /** A peer to monitor and send to. */
    public Builder peer(String id, InetSocketAddress address) {
      peers.put(WireMessage.checkSenderId(id), Objects.requireNonNull(address, "address"));
      return this;
    }

    /**
     * A target to probe, monitored under {@code id}: see {@link HeartbeatNode#addProbe}.
     *
     * @throws IllegalArgumentException if the id is not 1 to 64 bytes of UTF-8 or already given
     */
    public Builder probe(String id, ProbeTarget target) {
      WireMessage.checkSenderId(id);
      Objects.requireNonNull(target, "target");
      if (probes.putIfAbsent(id, target) != null) {
        throw new IllegalArgumentException("probe " + id + " is given twice");
      }
      return this;
    }

    /**
     * Bounds on each probed target: at most {@code maxOutstanding} probes wait for an answer
     * (a slot that comes when that many wait is skipped: a slow target is never sent more), each
     * for at most {@code cap} (an answer after it counts for nothing; a TCP or HTTP connection is
     * closed then). Default 4, and 5 intervals (at least 1 s, at most 1 min).
     *
     * @throws IllegalArgumentException unless {@code 1 <= maxOutstanding <= 16} and {@code 1 ms
     *     <= cap <= 1 h}
     */
    public Builder probeLimits(int maxOutstanding, Duration cap) {
      Objects.requireNonNull(cap, "probe cap");
      if (maxOutstanding < 1 || maxOutstanding > ProbeSchedule.MAX_OUTSTANDING) {
        throw new IllegalArgumentException("probe maxOutstanding must be between 1 and "
            + ProbeSchedule.MAX_OUTSTANDING + ", got " + maxOutstanding);
      }
      if (cap.compareTo(Duration.ofMillis(1)) < 0 || cap.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("probe cap must be between 1 ms and 1 h, got "
            + readable(cap));
      }
      this.probeMaxOutstanding = maxOutstanding;
      this.probeCapNanos = cap.toNanos();
      return this;
    }

    /**
     * Runs the cluster overlay: each member is observed by {@code k} others (chosen from the
     * membership by hashing, {@link ObserverTopology}), heartbeats go to this node's observers
     * only, and a member is confirmed failed when enough of its observers agree ({@link
     * ClusterNode}), so one bad link or one overloaded observer fails nobody. Every peer must be a
     * member running the overlay with the same {@code k}. Default 0: no overlay, every peer
     * heartbeats every other and this node's registry decides alone.
     *
     * @param k 1 to 64; all-to-all (still with confirmation) when the cluster has at most k + 1
     *     members
     * @throws IllegalArgumentException if out of range
     */
    public Builder observers(int k) {
      if (k < 0 || k > ObserverTopology.MAX_OBSERVERS) {
        throw new IllegalArgumentException("observers must be between 1 and "
            + ObserverTopology.MAX_OBSERVERS + " (0: no overlay), got " + k);
      }
      this.observers = k;
      return this;
    }

    /**
     * Changes the overlay's protocol settings (confirmations, fanout, local health; the interval
     * is the node's); only with {@link #observers}.
     */
    public Builder cluster(Consumer<ClusterNode.Builder> settings) {
      this.clusterSettings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /**
     * UDP only: whether authentic PINGs (the probes of other nodes, {@code udp://}) are answered
     * with an ACK; default true. Answering takes one datagram of the same size per authentic
     * PING, to its source address.
     */
    public Builder answerPings(boolean answerPings) {
      this.answerPings = answerPings;
      return this;
    }

    /**
     * Heartbeat interval, and the interval of probes; default 1 s.
     *
     * @throws IllegalArgumentException if not between 1 ms and 1 hour
     */
    public Builder interval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.compareTo(Duration.ofMillis(1)) < 0 || interval.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException(
            "interval must be between 1 ms and 1 h, got " + readable(interval));
      }
      this.intervalNanos = interval.toNanos();
      return this;
    }

    /**
     * Each round is sent a random delay of up to {@code jitter x interval} after its slot on the
     * fixed-rate schedule (the slots stay {@code interval} apart); default 0.1.
     *
     * @throws IllegalArgumentException if not in [0, 0.5]
     */
    public Builder jitter(double jitter) {
      if (!(jitter >= 0 && jitter <= 0.5)) {
        throw new IllegalArgumentException("jitter must be between 0 and 0.5, got " + jitter);
      }
      this.jitter = jitter;
      return this;
    }

    /**
     * This run's incarnation; default a random number (from {@link java.security.SecureRandom}),
     * new at every start, which is what it should be: peers bind their messages to it, so a
     * recording of them is useless to any other node or after this one restarts. Incarnations are
     * only compared for equality (a clock stepped back does not matter). Set it only in tests.
     *
     * @throws IllegalArgumentException if 0 (it means "not heard yet" on the wire)
     */
    public Builder incarnation(long incarnation) {
      if (incarnation == 0) {
        throw new IllegalArgumentException("incarnation must not be 0 (it means \"not heard yet\")");
      }
      this.incarnation = incarnation;
      return this;
    }

    /**
     * Runs without keys: messages are neither signed nor checked. Then anyone who can send a
     * datagram or open a connection to this node can make a dead peer look alive or a live one
     * look gone (one untagged GOODBYE does it). For a trusted network or a test only; without it,
     * {@link #build()} refuses a node without a {@link #keyRing}.
     */
    public Builder insecure() {
      this.insecure = true;
      return this;
    }

    /** Authenticate with these keys (and drop what is not authenticated); required unless insecure. */
    public Builder keyRing(KeyRing keys) {
      this.keys = Objects.requireNonNull(keys, "keyRing");
      return this;
    }

    /**
     * Settings of the registry the node makes: the detector, plug-ins, maxPeers, confirmation
     * time, the local-pause guard, ... For example {@code .registry(r ->
     * r.detector(DetectorSpec.parse("chen:margin=200ms")).plugin(new ArrivalRecording(10_000)))}.
     * The node names the registry {@code fd-<localId>}, adds an {@link IntervalHistogram} (the
     * {@code heartbeat.intervals} meters), and gives the detector spec its
     * {@link #interval}: leave the interval out of the spec (one naming another is refused by
     * {@link #build()}). Each call adds to the earlier ones, in order. Default: the registry's
     * defaults (phi accrual, Pekko's settings).
     */
    public Builder registry(Consumer<FailureDetectorRegistry.Builder> settings) {
      Objects.requireNonNull(settings, "registry settings");
      this.registrySettings = registrySettings == null ? settings
          : registrySettings.andThen(settings);
      return this;
    }

    /**
     * Record into this registry instead of one the node makes: for a service that already has one
     * (or to share it between transports). Its spec's interval must be the node's; it is not
     * closed by {@link HeartbeatNode#close()}. Set the registry's settings on it, not here.
     */
    public Builder registry(FailureDetectorRegistry<String> registry) {
      this.externalRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Run on this event loop group (one of its loops) instead of a thread of the node's own; it
     * is not shut down by {@link HeartbeatNode#close()}. A group of epoll loops ({@code
     * EpollEventLoopGroup}; on Netty 4.2 also a {@code MultiThreadIoEventLoopGroup} of {@code
     * EpollIoHandler}) gets epoll sockets, any other group NIO ones; an {@link #io} other than
     * AUTO must agree.
     */
    public Builder eventLoopGroup(EventLoopGroup group) {
      this.group = Objects.requireNonNull(group, "eventLoopGroup");
      return this;
    }

    /**
     * Which I/O transport the node's own event loop and sockets use; default {@link IoMode#AUTO}:
     * native epoll where it loads (Linux, with {@code netty-transport-native-epoll} on the class
     * path), which reads up to 16 datagrams per system call, NIO otherwise. {@link
     * HeartbeatNode#io()} says which was chosen.
     */
    public Builder io(IoMode io) {
      this.io = Objects.requireNonNull(io, "io");
      return this;
    }

    /**
     * Builds the node (not started).
     *
     * @throws IllegalStateException if localId or bind is missing, there is no key ring and not
     *     {@link #insecure()}, the inbound idle timeout is
     *     shorter than two intervals, or registry settings were made here as well as a registry
     *     given, or {@link IoMode#EPOLL} was asked for where it cannot load (the message says why),
     *     or an {@code io} other than AUTO differs from the kind of the event loop group given
     * @throws IllegalArgumentException if the detector spec (or the given registry's) names an
     *     interval other than the node's
     */
    public HeartbeatNode build() {
      if (localId == null || bindAddress == null) {
        throw new IllegalStateException("localId and bind are required");
      }
      if (transport == Transport.TCP && inboundIdleNanos < 2 * intervalNanos) {
        throw new IllegalStateException("inboundIdleTimeout (" + Duration.ofNanos(inboundIdleNanos)
            + ") must be at least twice the interval (" + Duration.ofNanos(intervalNanos) + ")");
      }
      if (keys == null && !insecure) {
        throw new IllegalStateException("no keys: set keyRing(...) (for example"
            + " KeySource.fromFile), or insecure() for a trusted network or a test, which lets"
            + " anyone who can reach this node make a dead peer look alive or a live one gone");
      }
      // Before the registry is made: a failure here leaves no thread behind.
      IoChannels channels = IoChannels.of(io, group);
      Duration interval = Duration.ofNanos(intervalNanos);
      FailureDetectorRegistry<String> target;
      if (externalRegistry != null) {
        if (registrySettings != null) {
          throw new IllegalStateException("set the registry's settings on the registry you pass,"
              + " not as registry(settings) on the node");
        }
        if (!externalRegistry.spec().interval().equals(interval)) {
          throw new IllegalArgumentException("the registry's detector interval ("
              + readable(externalRegistry.spec().interval()) + ") differs from the node's interval ("
              + readable(interval) + "): build the registry with spec.withInterval(" + interval
              + ")");
        }
        target = externalRegistry;
      } else {
        // The interval histogram feeds the dashboard's interval percentiles (docs/operations).
        FailureDetectorRegistry.Builder settings = FailureDetectorRegistry.builder()
            .name("fd-" + localId).plugin(new IntervalHistogram());
        if (registrySettings != null) {
          registrySettings.accept(settings);
        }
        settings.detector(
            DetectorSpec.withIntervalOf(settings.detector(), interval, "the node's interval"));
        target = settings.build();
      }
      return new HeartbeatNode(this, target, channels);
    }
  }

  /** A duration as a user writes it (250ms, 1500us, 0ms), for error messages. */
  static String readable(Duration duration) {
    if (duration == null) {
      return "null";
    }
    long nanos = duration.toNanos();
    return nanos % 1_000_000 == 0 ? nanos / 1_000_000 + "ms"
        : nanos % 1_000 == 0 ? nanos / 1_000 + "us" : nanos + "ns";
  }
}
