package dev.failuredetector.benchmarks;

import dev.failuredetector.HeartbeatOutcome;
import dev.failuredetector.netty.HeartbeatNode;
import dev.failuredetector.netty.IoMode;
import dev.failuredetector.netty.KeyRing;
import dev.failuredetector.netty.MessageType;
import dev.failuredetector.netty.WireCodec;
import dev.failuredetector.netty.WireMessage;
import dev.failuredetector.netty.internal.IoChannels;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * A live {@link HeartbeatNode} on loopback UDP, HMAC-SHA256 on, 1,000 registered peers, measured
 * two ways:
 *
 * <ol>
 *   <li><b>Throughput.</b> A sender thread blasts 1,500,000 pre-signed heartbeats (1,000 peers x
 *       1,500 sequence numbers) as fast as it can; the node's rate is the heartbeats it handled
 *       (recorded, or refused by the sequence guard after the kernel dropped a run of a peer's
 *       numbers: the same work)
 *       divided by the time from the first to the last. Datagrams the kernel dropped because the
 *       node fell behind are reported. Allocation per heartbeat is measured on the node's own
 *       threads (event loop, timer) with {@code ThreadMXBean.getThreadAllocatedBytes}.
 *   <li><b>The stack's limit.</b> The same blast, in the same run, at a bare Netty UDP server on
 *       the node's transport (native epoll where it loads, NIO otherwise or with {@code -Dio=nio};
 *       one event loop) and Netty's own datagram channel, whose handler only counts and releases
 *       each datagram, in two setups: Netty's defaults, and the reused receive buffer (with
 *       {@code recvmmsg} on epoll). The faster of the two is what this JVM, kernel and Netty can
 *       receive here; our rate is reported as a share of it.
 *   <li><b>CPU per 1,000 peers at 1 s.</b> The node sends its own heartbeat to 1,000 peers every
 *       second and receives 1,000 per second (one per peer, spread over the second); CPU is the
 *       node's threads' CPU time over 20 s, as a share of one core.
 * </ol>
 *
 * <p>Run: {@code ./mvnw -B -q -DskipTests package && java -cp benchmarks/target/benchmarks.jar
 * dev.failuredetector.benchmarks.NodeThroughput}. Both the sender and the node run in this JVM on
 * a 2-core machine: they compete for the cores, as they would not in production. The last line
 * is the summary, medians over the runs (with {@code -Dsenders=N} the blast comes from N sockets
 * in turn): {@code node-throughput: ours R/s, bare netty B/s, ratio
 * X, allocated A B/heartbeat, cores C}.
 */
public final class NodeThroughput {

  private static final int PEERS = 1_000;
  private static final int SEQUENCES = 1_500;
  private static final byte[] KEY = "benchmark-key-benchmark-key-0123".getBytes();
  /** The node's I/O transport ({@code -Dio=auto|nio|epoll}); the bare server runs on the same. */
  private static final IoMode IO = IoMode.valueOf(System.getProperty("io", "auto").toUpperCase(
      java.util.Locale.ROOT));

  /**
   * Sender sockets the blast rotates through, one datagram each in turn ({@code -Dsenders=N},
   * default 1). With more than one, consecutive datagrams come from different addresses, as at a
   * node with many peers, and the JDK decodes a new sender address for each.
   */
  private static final int SENDERS = Integer.getInteger("senders", 1);

  private NodeThroughput() {}

  /** {@link #SENDERS} sockets connected to one address, used in turn; one thread at a time. */
  private static final class Senders implements AutoCloseable {
    private final DatagramChannel[] channels = new DatagramChannel[SENDERS];
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(WireCodec.MAX_MESSAGE_BYTES);
    private int next;

    Senders(java.net.SocketAddress to) throws java.io.IOException {
      for (int i = 0; i < channels.length; i++) {
        channels[i] = DatagramChannel.open();
        channels[i].connect(to);
      }
    }

    void send(byte[] message) throws java.io.IOException {
      buffer.clear();
      buffer.put(message).flip();
      channels[next].write(buffer);
      next = next + 1 == channels.length ? 0 : next + 1;
    }

    @Override
    public void close() throws java.io.IOException {
      for (DatagramChannel channel : channels) {
        channel.close();
      }
    }
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("slf4j.internal.verbosity", "ERROR");
    System.out.printf("JDK %s, %d cores, %d sender socket(s)%n", Runtime.version(),
        Runtime.getRuntime().availableProcessors(), SENDERS);
    byte[][] messages = presign();
    int runs = Integer.getInteger("runs", 3);
    double[] ours = new double[runs];
    double[] bare = new double[runs];
    double[] allocated = new double[runs];
    for (int run = 1; run <= runs; run++) { // alternated, so that drift hits both alike
      double[] result = throughput(run, messages);
      ours[run - 1] = result[0];
      allocated[run - 1] = result[1];
      bare[run - 1] = bareNetty(run, messages);
    }
    cpuPerThousandPeersAtOneSecond(messages);
    double oursRate = median(ours);
    double bareRate = median(bare);
    System.out.printf("node-throughput: ours %.0f/s, bare netty %.0f/s, ratio %.2f, allocated %.1f"
        + " B/heartbeat, cores %d%n", oursRate, bareRate, oursRate / bareRate, median(allocated),
        Runtime.getRuntime().availableProcessors());
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** Counts and releases every datagram: nothing else. */
  @io.netty.channel.ChannelHandler.Sharable
  private static final class CountingHandler
      extends io.netty.channel.SimpleChannelInboundHandler<io.netty.channel.socket.DatagramPacket> {
    final java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();

    @Override
    protected void channelRead0(io.netty.channel.ChannelHandlerContext ctx,
        io.netty.channel.socket.DatagramPacket packet) {
      count.lazySet(count.get() + 1); // one writer: the event loop
    }
  }

  /**
   * The same blast at a bare Netty UDP server, in two setups, each on Netty's own datagram channel
   * of the node's transport: Netty's defaults (a pooled buffer per datagram, up to 16 per read),
   * and the reused-buffer setup (batched {@code recvmmsg} on epoll; on NIO one datagram per
   * wakeup, since Netty's own channel would make a buffer per further datagram of a read). The
   * faster is the stack's limit: datagrams per second.
   */
  private static double bareNetty(int run, byte[][] messages) throws Exception {
    IoChannels io = IoChannels.of(IO, null);
    double defaults = bareNetty(run, messages, io, "netty defaults",
        bootstrap -> bootstrap.channel(io.datagramClass()));
    double reused = bareNetty(run, messages, io, "reused buffer", io::datagram);
    return Math.max(defaults, reused);
  }

  private static double bareNetty(int run, byte[][] messages, IoChannels io, String setup,
      java.util.function.UnaryOperator<io.netty.bootstrap.Bootstrap> socket) throws Exception {
    io.netty.channel.EventLoopGroup group = io.newGroup("bare-netty");
    CountingHandler handler = new CountingHandler();
    try {
      io.netty.channel.Channel server = socket.apply(
          new io.netty.bootstrap.Bootstrap().group(group)).handler(handler)
          .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
      double[] rate;
      try (Senders senders = new Senders(server.localAddress())) {
        rate = blast(messages, handler.count::get, senders::send);
      }
      System.out.printf("bare netty (%s, %s) run %d: %,d of %,d datagrams received in %.2f s:"
          + " %,.0f datagrams/s%n", io, setup, run, handler.count.get(), messages.length, rate[1],
          rate[0]);
      server.close().sync();
      return rate[0];
    } finally {
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }
  }

  interface Send {
    void send(byte[] message) throws java.io.IOException;
  }

  /**
   * Sends every message from a thread of its own while polling {@code count}: the rate from the
   * first counted to the last, and those seconds.
   */
  private static double[] blast(byte[][] messages, java.util.function.LongSupplier count,
      Send send) throws InterruptedException {
    Thread blaster = new Thread(() -> {
      try {
        for (byte[] message : messages) {
          send.send(message);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "sender");
    long first = 0;
    long last = 0;
    long lastCount = 0;
    blaster.start();
    while (true) {
      long c = count.getAsLong();
      long now = System.nanoTime();
      if (c > 0 && first == 0) {
        first = now;
      }
      if (c != lastCount) {
        last = now;
        lastCount = c;
      } else if (!blaster.isAlive() && now - last > 500_000_000L) {
        break; // quiet for half a second after the sender finished
      }
      LockSupport.parkNanos(1_000_000);
    }
    blaster.join();
    double seconds = (last - first) / 1e9;
    return new double[] {count.getAsLong() / seconds, seconds};
  }

  /**
   * The node under test, its threads (those it started), a sink for its own heartbeats that
   * nobody reads, and the sender sockets.
   */
  private static final class Rig implements AutoCloseable {
    final DatagramChannel sink;
    final Senders senders;
    final HeartbeatNode node;
    final Set<Long> nodeThreads;

    Rig(Duration interval) throws Exception {
      sink = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
      Set<Long> before = threadIds();
      HeartbeatNode.Builder builder = HeartbeatNode.builder().localId("node")
          .bind(new InetSocketAddress("127.0.0.1", 0)).interval(interval)
          .keyRing(KeyRing.of(1, KEY)).incarnation(NODE_INCARNATION).io(IO)
          .registry(r -> r.maxPeers(PEERS));
      for (int p = 0; p < PEERS; p++) {
        builder.peer("peer-" + p, (InetSocketAddress) sink.getLocalAddress());
      }
      node = builder.build().start();
      nodeThreads = threadIds();
      nodeThreads.removeAll(before);
      senders = new Senders(node.localAddress());
    }

    /** Sends one datagram to the node; one thread at a time. */
    void send(byte[] message) throws java.io.IOException {
      senders.send(message);
    }

    @Override
    public void close() throws java.io.IOException {
      node.close();
      senders.close();
      sink.close();
    }
  }

  /** Our node under the blast: {heartbeats handled per second, bytes allocated per heartbeat}. */
  private static double[] throughput(int run, byte[][] messages) throws Exception {
    // The node's own heartbeats (to the sink) are hourly: they do not count here.
    try (Rig rig = new Rig(Duration.ofHours(1))) {
      HeartbeatNode node = rig.node;
      long allocatedBefore = allocated(rig.nodeThreads);
      double[] rate = blast(messages, () -> handled(node), rig::send);
      long allocatedBytes = allocated(rig.nodeThreads) - allocatedBefore;
      long handled = handled(node);
      long accepted = node.stats().accepted();
      double perHeartbeat = (double) allocatedBytes / Math.max(1, handled);
      System.out.printf("throughput (%s) run %d: %,d of %,d heartbeats handled in %.2f s: %,.0f"
          + " heartbeats/s (%,d recorded, %,d refused by the sequence guard); %,d lost in the"
          + " kernel (the node fell behind); %.1f B allocated per heartbeat on the node's"
          + " threads%n", node.io().name().toLowerCase(java.util.Locale.ROOT), run, handled,
          messages.length, rate[1], rate[0], accepted, handled - accepted,
          messages.length - handled, perHeartbeat);
      return new double[] {rate[0], perHeartbeat};
    }
  }

  /**
   * Heartbeats the node took all the way through (decoded, MAC checked, handed to the registry):
   * those it recorded and those the registry refused as stale or implausible. The blast sends a
   * peer's numbers far faster than its 1 h interval, so after the kernel drops a run of them the
   * sequence guard rightly refuses the jump (no honest sender at that interval could make it);
   * the work per heartbeat is the same either way.
   */
  private static long handled(HeartbeatNode node) {
    var registry = node.registry().stats();
    return node.stats().accepted() + registry.heartbeats(HeartbeatOutcome.COALESCED)
        + registry.heartbeats(HeartbeatOutcome.STALE_INCARNATION)
        + registry.heartbeats(HeartbeatOutcome.STALE_SEQUENCE)
        + registry.heartbeats(HeartbeatOutcome.IMPLAUSIBLE_SEQUENCE);
  }

  /** The incarnation the node under test runs with, which the presigned heartbeats echo. */
  private static final long NODE_INCARNATION = 0x5eed;

  /** 1,000 peers x 1,500 sequence numbers, interleaved so consecutive datagrams are from different peers. */
  private static byte[][] presign() {
    WireCodec codec = new WireCodec(KeyRing.of(1, KEY), true);
    byte[][] messages = new byte[PEERS * SEQUENCES][];
    ByteBuf buffer = Unpooled.buffer(WireCodec.MAX_MESSAGE_BYTES);
    int i = 0;
    for (int seq = 1; seq <= SEQUENCES; seq++) {
      for (int p = 0; p < PEERS; p++) {
        buffer.clear();
        // Each echoes the node's incarnation, as a peer does once it has heard the node.
        codec.encode(new WireMessage(MessageType.HEARTBEAT, "peer-" + p, 1, NODE_INCARNATION,
            seq, 0), buffer);
        messages[i] = new byte[buffer.readableBytes()];
        buffer.readBytes(messages[i++]);
      }
    }
    buffer.release();
    return messages;
  }

  private static void cpuPerThousandPeersAtOneSecond(byte[][] messages) throws Exception {
    int seconds = 20;
    try (Rig rig = new Rig(Duration.ofSeconds(1))) {
      long cpuBefore = cpu(rig.nodeThreads);
      long start = System.nanoTime();
      long gap = 1_000_000_000L / PEERS; // 1,000 peers, each once a second
      for (int i = 0; i < PEERS * seconds; i++) {
        long wait = start + i * gap - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait); // load pacing, not a test wait
        }
        rig.send(messages[i]);
      }
      long elapsed = System.nanoTime() - start;
      long cpuNanos = cpu(rig.nodeThreads) - cpuBefore;
      System.out.printf("1,000 peers at 1 s for %d s: %,d received, %,d sent; node threads used"
          + " %.2f%% of one core (%.1f ms CPU per second)%n", seconds, rig.node.stats().accepted(),
          rig.node.stats().sent(), 100.0 * cpuNanos / elapsed, cpuNanos / 1e6 / (elapsed / 1e9));
    }
  }

  private static Set<Long> threadIds() {
    Set<Long> ids = new HashSet<>();
    for (long id : ManagementFactory.getThreadMXBean().getAllThreadIds()) {
      ids.add(id);
    }
    return ids;
  }

  private static long allocated(Set<Long> threads) {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long total = 0;
    for (long id : threads) {
      total += Math.max(0, mx.getThreadAllocatedBytes(id));
    }
    return total;
  }

  private static long cpu(Set<Long> threads) {
    long total = 0;
    for (long id : threads) {
      total += Math.max(0, ManagementFactory.getThreadMXBean().getThreadCpuTime(id));
    }
    return total;
  }
}
