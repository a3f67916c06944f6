package dev.failuredetector.netty;

import dev.failuredetector.FailureDetector;
import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.NanoClock;
import dev.failuredetector.qos.HeartbeatTrace;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A node that sends heartbeats to its peers and monitors theirs, over UDP or TCP: what a service
 * adds to get failure detection without writing network code.
 *
 * <p>Every {@code interval} (with a random jitter of {@code jitter} of the interval either way, so
 * that a cluster does not synchronise) it sends a HEARTBEAT to each peer, in the wire format of
 * WIRE-FORMAT.md, tagged with HMAC-SHA256 when it has a {@link KeyRing}. What it receives feeds
 * its {@link #registry()}: heartbeats (with the sender's incarnation and sequence, so a restart is
 * reported RESTARTED), and GOODBYEs, which mark the sender LEFT at once. {@link #close()} sends a
 * GOODBYE to every peer first. Malformed, unauthenticated, replayed or unknown-sender messages
 * are dropped and counted ({@link #drops(DropReason)}); see {@link HeartbeatNodeMetrics} for
 * Micrometer.
 *
 * <p>Over {@link Transport#TCP TCP} the node listens on its bind address and keeps one connection
 * to each peer, reconnecting with jittered exponential backoff; a peer whose port refuses the
 * connection is marked FAILED (CONNECTION_REFUSED) at once, long before its timeout.
 *
 * <p>Thread-safe. One Netty event loop (one thread) does all the sending and receiving.
 */
public final class HeartbeatNode implements AutoCloseable {

  private static final int CONNECT_TIMEOUT_MILLIS = 2_000;

  private final String localId;
  private final InetSocketAddress bindAddress;
  private final Transport transport;
  private final long intervalNanos;
  private final double jitter;
  private final long incarnation;
  private final KeyRing keys;
  private final boolean requireAuthentication;
  private final boolean refusedIsFailure;
  private final long reconnectMinNanos;
  private final long reconnectMaxNanos;
  private final int maxInboundConnections;
  private final long inboundIdleNanos;
  private final FailureDetectorRegistry<String> registry;
  private final NanoClock clock;
  private final Map<String, InetSocketAddress> peers = new ConcurrentHashMap<>();
  private final TransportCounters counters = new TransportCounters();
  private final SplittableRandom random = new SplittableRandom();
  private final int traceCapacity;
  private final Map<String, ArrivalRecorder> recorders = new ConcurrentHashMap<>();

  private EventLoopGroup group;
  private EventLoop eventLoop;
  private Channel channel;
  private HeartbeatReceiver receiver;
  private WireCodec sendCodec;
  private Bootstrap tcpClient;
  private volatile TcpInboundInitializer tcpInbound;
  /** Event loop only. */
  private final Map<String, PeerLink> links = new HashMap<>();
  private long sequence;
  private volatile boolean closed;

  private HeartbeatNode(Builder builder) {
    this.localId = builder.localId;
    this.bindAddress = builder.bindAddress;
    this.transport = builder.transport;
    this.intervalNanos = builder.intervalNanos;
    this.jitter = builder.jitter;
    this.incarnation = builder.incarnation;
    this.keys = builder.keys;
    this.requireAuthentication = builder.keys != null;
    this.refusedIsFailure = builder.refusedIsFailure;
    this.reconnectMinNanos = builder.reconnectMinNanos;
    this.reconnectMaxNanos = builder.reconnectMaxNanos;
    this.maxInboundConnections = builder.maxInboundConnections;
    this.inboundIdleNanos = builder.inboundIdleNanos;
    this.clock = NanoClock.system();
    this.traceCapacity = builder.traceCapacity;
    this.registry = builder.registry.name("fd-" + localId).build();
    builder.peers.forEach(this::addPeer);
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
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    eventLoop = group.next();
    sendCodec = new WireCodec(keys, requireAuthentication);
    receiver = new HeartbeatReceiver(new WireCodec(keys, requireAuthentication), registry, clock,
        counters, recorders::get,
        transport == Transport.TCP ? this::peerHeard : id -> { }); // UDP links never wait
    try {
      channel = transport == Transport.UDP ? bindUdp() : bindTcp();
    } catch (RuntimeException | InterruptedException e) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      eventLoop = null; // nothing to say goodbye with: close() only releases the rest
      throw e;
    }
    eventLoop.execute(() -> {
      peers.forEach(this::openLink);
      sendRound();
    });
    return this;
  }

  private Channel bindUdp() throws InterruptedException {
    return bound(new Bootstrap().group(group).channel(NioDatagramChannel.class)
        .handler(new DatagramInboundHandler(receiver, counters))
        .bind(bindAddress));
  }

  /** Waits for the bind; Netty's sync() would throw a checked BindException undeclared. */
  private Channel bound(ChannelFuture bind) throws InterruptedException {
    bind.await();
    if (!bind.isSuccess()) {
      Throwable cause = bind.cause();
      throw new UncheckedIOException("cannot bind " + transport + " to " + bindAddress,
          cause instanceof IOException io ? io : new IOException(cause));
    }
    return bind.channel();
  }

  private Channel bindTcp() throws InterruptedException {
    tcpClient = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
        .option(ChannelOption.TCP_NODELAY, true)
        // A stalled peer gets at most 16 KiB of stale heartbeats queued, then they are dropped.
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(8 << 10, 16 << 10))
        .handler(new TcpPeerLink.DiscardInbound(counters));
    return bound(new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_REUSEADDR, true) // rebind the same port at once after a restart
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(tcpInbound = new TcpInboundInitializer(receiver, counters,
            maxInboundConnections, inboundIdleNanos))
        .bind(bindAddress));
  }

  /** Event loop only. */
  private void openLink(String id, InetSocketAddress address) {
    if (closed || links.containsKey(id)) {
      return;
    }
    receiver.know(id);
    links.put(id, transport == Transport.UDP
        ? new UdpPeerLink(channel, address)
        : new TcpPeerLink(id, address, tcpClient,
            new Backoff(reconnectMinNanos, reconnectMaxNanos, random.split()), registry,
            refusedIsFailure, counters).open());
  }

  /** Event loop only. */
  private void peerHeard(String id) {
    PeerLink link = links.get(id);
    if (link != null) {
      link.peerHeard();
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
    if (peers.putIfAbsent(WireMessage.checkSenderId(id), address) != null) {
      return;
    }
    try {
      registry.register(id);
    } catch (RuntimeException e) {
      peers.remove(id);
      throw e;
    }
    if (traceCapacity > 0) {
      recorders.putIfAbsent(id, new ArrivalRecorder(traceCapacity));
    }
    EventLoop loop = eventLoop;
    if (loop != null) {
      loop.execute(() -> {
        if (peers.get(id) == address) {
          openLink(id, address);
        }
      });
    }
  }

  /** Stops monitoring and sending to a peer (a TCP connection to it is closed). */
  public void removePeer(String id) {
    if (peers.remove(id) == null) {
      return;
    }
    registry.remove(id);
    recorders.remove(id);
    EventLoop loop = eventLoop;
    if (loop != null) {
      loop.execute(() -> {
        PeerLink link = links.remove(id);
        if (link != null) {
          link.close();
        }
        receiver.forget(id);
      });
    }
  }

  /**
   * The recorded arrivals of {@code peerId} (its last {@code recordArrivals} heartbeats), as a trace
   * the QoS tools read ({@code ThresholdTuner}, {@code QosReplay}). Arrival times are this node's
   * {@link System#nanoTime()}.
   *
   * @throws IllegalStateException if recording is off ({@code recordArrivals}), the peer is not
   *     known, or nothing was recorded from it yet
   */
  public HeartbeatTrace recordedTrace(String peerId) {
    ArrivalRecorder recorder = recorders.get(peerId);
    if (recorder == null) {
      throw new IllegalStateException(traceCapacity == 0
          ? "arrival recording is off: set recordArrivals(n) on the builder"
          : "no such peer: " + peerId);
    }
    HeartbeatTrace trace = recorder.snapshot();
    if (trace == null) {
      throw new IllegalStateException("no heartbeat recorded yet from " + peerId);
    }
    return trace;
  }

  /**
   * Writes {@link #recordedTrace} of {@code peerId} as a trace file ({@code seq,arrival_ns}, gzip
   * if the name ends in .gz), the format the {@code tune} command reads.
   *
   * @return the number of heartbeats written
   * @throws IllegalStateException as {@link #recordedTrace}
   */
  public int exportTrace(String peerId, Path file) throws IOException {
    HeartbeatTrace trace = recordedTrace(peerId);
    trace.write(file);
    return trace.size();
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

  /** The transport this node uses. */
  public Transport transport() {
    return transport;
  }

  /** Messages dropped for {@code reason} (never thrown, never logged per message). */
  public long drops(DropReason reason) {
    return counters.drops(Objects.requireNonNull(reason, "reason"));
  }

  /** Messages accepted (heartbeats and goodbyes from registered peers). */
  public long accepted() {
    return counters.accepted.sum();
  }

  /** Messages handed to the socket. */
  public long sent() {
    return counters.sent.sum();
  }

  /** Messages not sent: no open TCP connection to the peer, or its socket buffer was full. */
  public long unsent() {
    return counters.unsent.sum();
  }

  /** Peers marked FAILED at once because their TCP port refused a connection. */
  public long connectionRefusedClues() {
    return counters.connectionClues.sum();
  }

  /** TCP connection attempts, and how many failed. */
  public long connectAttempts() {
    return counters.connectAttempts.sum();
  }

  /** TCP connection attempts that failed (refused, timed out, unreachable). */
  public long connectFailures() {
    return counters.connectFailures.sum();
  }

  /** Inbound TCP connections refused because {@code maxInboundConnections} were open. */
  public long inboundConnectionsRejected() {
    return counters.inboundRejected.sum();
  }

  /** Inbound TCP connections open now (0 over UDP). */
  public int inboundConnectionsOpen() {
    TcpInboundInitializer inbound = tcpInbound;
    return inbound == null ? 0 : inbound.openConnections();
  }

  /** Inbound TCP connections closed for a malformed frame, idleness or an error. */
  public long inboundConnectionsClosed() {
    return counters.inboundClosed.sum();
  }

  /** Exceptions that reached a handler (resets, idle timeouts); counted, never logged per event. */
  public long handlerErrors() {
    return counters.handlerErrors.sum();
  }

  private void sendRound() {
    if (closed) {
      return;
    }
    send(MessageType.HEARTBEAT, null);
    double factor = 1 + jitter * (2 * random.nextDouble() - 1);
    eventLoop.schedule(this::sendRound, (long) (intervalNanos * factor), TimeUnit.NANOSECONDS);
  }

  /** Event loop only. Adds each write's future to {@code writes} when not null. */
  private void send(MessageType type, List<ChannelFuture> writes) {
    for (PeerLink link : links.values()) {
      WireMessage message = new WireMessage(type, localId, incarnation, ++sequence,
          clock.nanoTime());
      ByteBuf buffer = channel.alloc().buffer(WireCodec.MAX_MESSAGE_BYTES);
      try {
        sendCodec.encode(message, buffer);
      } catch (RuntimeException e) {
        buffer.release();
        throw e;
      }
      ChannelFuture write = link.send(buffer); // owns the buffer from here
      if (write != null) {
        counters.sent.increment();
        if (writes != null) {
          writes.add(write);
        }
      }
    }
  }

  /**
   * Sends GOODBYE to every peer (waiting up to a second for it to leave), then stops sending,
   * receiving and the registry. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    List<ChannelFuture> goodbyes = new ArrayList<>();
    if (eventLoop != null) {
      try {
        // On the event loop, so that no heartbeat round can run after the GOODBYE: a heartbeat
        // with a higher sequence number would make the peers take this node back.
        eventLoop.submit(() -> {
          closed = true;
          send(MessageType.GOODBYE, goodbyes);
        }).sync();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        for (ChannelFuture goodbye : goodbyes) {
          goodbye.awaitUninterruptibly(
              Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        eventLoop.submit(() -> {
          links.values().forEach(PeerLink::close);
          links.clear();
        }).sync();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    closed = true;
    if (channel != null) {
      channel.close().awaitUninterruptibly();
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
    registry.close();
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
    private long inboundIdleNanos = Duration.ofSeconds(60).toNanos();
    private long intervalNanos = Duration.ofSeconds(1).toNanos();
    private double jitter = 0.1;
    private long incarnation = System.currentTimeMillis();
    private KeyRing keys;
    private final FailureDetectorRegistry.Builder registry = FailureDetectorRegistry.builder();
    private int traceCapacity;
    private final Map<String, InetSocketAddress> peers = new ConcurrentHashMap<>();

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
     * @throws IllegalArgumentException unless 1 ms <= min <= max <= 10 min
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
     * TCP only: most inbound connections open at once (one per peer is normal; more are closed at
     * once, so strangers cannot exhaust file descriptors); default 1024.
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
     * TCP only: an inbound connection that delivers nothing for this long is closed (its peer
     * reconnects when it sends again); default 60 s. Must be at least twice the interval.
     *
     * @throws IllegalArgumentException if not between 1 s and 1 h
     */
    public Builder inboundIdleTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "inboundIdleTimeout");
      if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException(
            "inboundIdleTimeout must be between 1 s and 1 h, got " + timeout);
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
     * Heartbeat interval; default 1 s.
     *
     * @throws IllegalArgumentException if not between 1 ms and 1 hour
     */
    public Builder interval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.compareTo(Duration.ofMillis(1)) < 0 || interval.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("interval must be between 1 ms and 1 h, got " + interval);
      }
      this.intervalNanos = interval.toNanos();
      return this;
    }

    /**
     * Random jitter of the interval, as a fraction either way; default 0.1.
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

    /** This run's incarnation; default the start time in milliseconds. Raise it at each start. */
    public Builder incarnation(long incarnation) {
      this.incarnation = incarnation;
      return this;
    }

    /** Authenticate with these keys (and drop what is not authenticated); default none. */
    public Builder keyRing(KeyRing keys) {
      this.keys = Objects.requireNonNull(keys, "keyRing");
      return this;
    }

    /**
     * How each peer's detector is made; default phi accrual with Pekko's defaults. See {@link
     * FailureDetectorRegistry.Builder#detector}.
     */
    public Builder detector(Supplier<? extends FailureDetector> detector) {
      registry.detector(detector);
      return this;
    }

    /**
     * Most peers; default 10,000. See {@link FailureDetectorRegistry.Builder#maxPeers}.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxPeers(int maxPeers) {
      registry.maxPeers(maxPeers);
      return this;
    }

    /**
     * How long a peer stays SUSPECTED before it is declared FAILED; default 10 s. See {@link
     * FailureDetectorRegistry.Builder#confirmationTime}.
     */
    public Builder confirmationTime(Duration confirmationTime) {
      registry.confirmationTime(confirmationTime);
      return this;
    }

    /**
     * The local-pause guard: when this node's own timer ran late by more than {@code threshold}
     * (GC, CPU starvation, SIGSTOP), new suspicions are held for {@code grace}; defaults 500 ms and
     * 1 s. See {@link FailureDetectorRegistry.Builder#localPauseThreshold}.
     */
    public Builder localPauseGuard(Duration threshold, Duration grace) {
      registry.localPauseThreshold(threshold);
      registry.localPauseGrace(grace);
      return this;
    }

    /**
     * Keep the last {@code heartbeats} arrivals of each peer in memory (16 bytes each) for {@link
     * #exportTrace}; default 0 (off). 100,000 covers a day at one heartbeat a second.
     *
     * @throws IllegalArgumentException if negative or above 10,000,000
     */
    public Builder recordArrivals(int heartbeats) {
      if (heartbeats < 0 || heartbeats > 10_000_000) {
        throw new IllegalArgumentException(
            "recordArrivals must be between 0 and 10,000,000, got " + heartbeats);
      }
      this.traceCapacity = heartbeats;
      return this;
    }

    /**
     * Builds the node (not started).
     *
     * @throws IllegalStateException if localId or bind is missing, or the inbound idle timeout
     *     is shorter than two intervals
     */
    public HeartbeatNode build() {
      if (localId == null || bindAddress == null) {
        throw new IllegalStateException("localId and bind are required");
      }
      if (transport == Transport.TCP && inboundIdleNanos < 2 * intervalNanos) {
        throw new IllegalStateException("inboundIdleTimeout (" + Duration.ofNanos(inboundIdleNanos)
            + ") must be at least twice the interval (" + Duration.ofNanos(intervalNanos) + ")");
      }
      return new HeartbeatNode(this);
    }
  }
}
