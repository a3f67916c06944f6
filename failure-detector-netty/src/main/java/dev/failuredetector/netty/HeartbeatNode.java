package dev.failuredetector.netty;

import dev.failuredetector.FailureDetector;
import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.NanoClock;
import dev.failuredetector.qos.HeartbeatTrace;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * A node that sends UDP heartbeats to its peers and monitors theirs: what a service adds to get
 * failure detection without writing network code.
 *
 * <p>Every {@code interval} (with a random jitter of {@code jitter} of the interval either way, so
 * that a cluster does not synchronise) it sends a HEARTBEAT to each peer, in the wire format of
 * WIRE-FORMAT.md, tagged with HMAC-SHA256 when it has a {@link KeyRing}. What it receives feeds
 * its {@link #registry()}: heartbeats (with the sender's incarnation and sequence, so a restart is
 * reported RESTARTED), and GOODBYEs, which mark the sender LEFT at once. {@link #close()} sends a
 * GOODBYE to every peer first. Malformed, unauthenticated, replayed or unknown-sender datagrams
 * are dropped and counted ({@link #drops(DropReason)}).
 *
 * <p>Thread-safe. One Netty event loop does all the sending and receiving.
 */
public final class HeartbeatNode implements AutoCloseable {

  private final String localId;
  private final InetSocketAddress bindAddress;
  private final long intervalNanos;
  private final double jitter;
  private final long incarnation;
  private final KeyRing keys;
  private final boolean requireAuthentication;
  private final FailureDetectorRegistry<String> registry;
  private final NanoClock clock;
  private final Map<String, InetSocketAddress> peers = new ConcurrentHashMap<>();
  private final Map<DropReason, LongAdder> drops = HeartbeatReceiver.newDropCounters();
  private final LongAdder accepted = new LongAdder();
  private final LongAdder sent = new LongAdder();
  private final LongAdder handlerErrors = new LongAdder();
  private final SplittableRandom random = new SplittableRandom();
  private final int traceCapacity;
  private final Map<String, ArrivalRecorder> recorders = new ConcurrentHashMap<>();

  private EventLoopGroup group;
  private Channel channel;
  private HeartbeatReceiver receiver;
  private WireCodec sendCodec;
  private long sequence;
  private volatile boolean closed;

  private HeartbeatNode(Builder builder) {
    this.localId = builder.localId;
    this.bindAddress = builder.bindAddress;
    this.intervalNanos = builder.intervalNanos;
    this.jitter = builder.jitter;
    this.incarnation = builder.incarnation;
    this.keys = builder.keys;
    this.requireAuthentication = builder.keys != null;
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
   * @throws InterruptedException if interrupted while binding
   */
  public synchronized HeartbeatNode start() throws InterruptedException {
    if (group != null || closed) {
      throw new IllegalStateException("start() once, before close()");
    }
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    sendCodec = new WireCodec(keys, requireAuthentication);
    receiver = new HeartbeatReceiver(new WireCodec(keys, requireAuthentication), registry, clock,
        drops, accepted, handlerErrors, recorders::get);
    channel = new Bootstrap().group(group).channel(NioDatagramChannel.class).handler(receiver)
        .bind(bindAddress).sync().channel();
    channel.eventLoop().execute(this::sendRound);
    return this;
  }

  /** The address the socket is bound to (the real port when bound to port 0). */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** Starts monitoring and sending to a peer; idempotent. */
  public void addPeer(String id, InetSocketAddress address) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(address, "address");
    peers.put(WireMessage.checkSenderId(id), address);
    registry.register(id);
    if (traceCapacity > 0) {
      recorders.putIfAbsent(id, new ArrivalRecorder(traceCapacity));
    }
  }

  /** Stops monitoring and sending to a peer. */
  public void removePeer(String id) {
    peers.remove(id);
    registry.remove(id);
    recorders.remove(id);
    Channel current = channel;
    if (current != null && receiver != null) {
      current.eventLoop().execute(() -> receiver.forget(id));
    }
  }

  /**
   * Writes the recorded arrivals of {@code peerId} as a trace file ({@code seq,arrival_ns}, gzip if
   * the name ends in .gz), the format the {@code tune} command reads. Arrival times are this
   * node's {@link System#nanoTime()}.
   *
   * @return the number of heartbeats written
   * @throws IllegalStateException if recording is off ({@code recordArrivals}) or nothing was
   *     recorded for that peer
   */
  public int exportTrace(String peerId, Path file) throws IOException {
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

  /** Datagrams dropped for {@code reason}. */
  public long drops(DropReason reason) {
    return drops.get(reason).sum();
  }

  /** Datagrams accepted (heartbeats and goodbyes from known peers). */
  public long accepted() {
    return accepted.sum();
  }

  /** Heartbeats sent. */
  public long sent() {
    return sent.sum();
  }

  private void sendRound() {
    if (closed) {
      return;
    }
    send(MessageType.HEARTBEAT);
    double factor = 1 + jitter * (2 * random.nextDouble() - 1);
    channel.eventLoop().schedule(this::sendRound, (long) (intervalNanos * factor),
        TimeUnit.NANOSECONDS);
  }

  /** Event loop only. */
  private void send(MessageType type) {
    for (Map.Entry<String, InetSocketAddress> peer : peers.entrySet()) {
      WireMessage message = new WireMessage(type, localId, incarnation, ++sequence,
          clock.nanoTime());
      ByteBuf buffer = channel.alloc().buffer(WireCodec.MAX_MESSAGE_BYTES);
      boolean handedOver = false;
      try {
        sendCodec.encode(message, buffer);
        channel.writeAndFlush(new DatagramPacket(buffer, peer.getValue()));
        handedOver = true;
        sent.increment();
      } finally {
        if (!handedOver) {
          buffer.release();
        }
      }
    }
  }

  /** Sends GOODBYE to every peer, then stops sending, receiving and the registry. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    if (channel != null) {
      try {
        // On the event loop, so that no heartbeat round can run after the GOODBYE: a heartbeat
        // with a higher sequence number would make the peers take this node back.
        channel.eventLoop().submit(() -> {
          closed = true;
          send(MessageType.GOODBYE);
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

    /** Where to bind the UDP socket (port 0 for any free port). */
    public Builder bind(InetSocketAddress bindAddress) {
      this.bindAddress = Objects.requireNonNull(bindAddress, "bind");
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
     * @throws IllegalStateException if localId or bind is missing
     */
    public HeartbeatNode build() {
      if (localId == null || bindAddress == null) {
        throw new IllegalStateException("localId and bind are required");
      }
      return new HeartbeatNode(this);
    }
  }
}
