package dev.failuredetector.benchmarks;

import dev.failuredetector.HeartbeatOutcome;
import dev.failuredetector.netty.HeartbeatNode;
import dev.failuredetector.netty.KeyRing;
import dev.failuredetector.netty.MessageType;
import dev.failuredetector.netty.WireCodec;
import dev.failuredetector.netty.WireMessage;
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
 *   <li><b>CPU per 1,000 peers at 1 s.</b> The node sends its own heartbeat to 1,000 peers every
 *       second and receives 1,000 per second (one per peer, spread over the second); CPU is the
 *       node's threads' CPU time over 20 s, as a share of one core.
 * </ol>
 *
 * <p>Run: {@code ./mvnw -B -q -DskipTests package && java -cp benchmarks/target/benchmarks.jar
 * dev.failuredetector.benchmarks.NodeThroughput}. Both the sender and the node run in this JVM on
 * a 2-core machine: they compete for the cores, as they would not in production.
 */
public final class NodeThroughput {

  private static final int PEERS = 1_000;
  private static final int SEQUENCES = 1_500;
  private static final byte[] KEY = "benchmark-key-benchmark-key-0123".getBytes();

  private NodeThroughput() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("slf4j.internal.verbosity", "ERROR");
    System.out.printf("JDK %s, %d cores%n", Runtime.version(),
        Runtime.getRuntime().availableProcessors());
    byte[][] messages = presign();
    for (int run = 1; run <= Integer.getInteger("runs", 3); run++) {
      throughput(run, messages);
    }
    cpuPerThousandPeersAtOneSecond(messages);
  }

  /**
   * The node under test, its threads (those it started), a sink for its own heartbeats that
   * nobody reads, and a sender socket connected to it.
   */
  private static final class Rig implements AutoCloseable {
    final DatagramChannel sink;
    final DatagramChannel sender;
    final HeartbeatNode node;
    final Set<Long> nodeThreads;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(WireCodec.MAX_MESSAGE_BYTES);

    Rig(Duration interval) throws Exception {
      sink = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
      sender = DatagramChannel.open();
      Set<Long> before = threadIds();
      HeartbeatNode.Builder builder = HeartbeatNode.builder().localId("node")
          .bind(new InetSocketAddress("127.0.0.1", 0)).interval(interval)
          .keyRing(KeyRing.of(1, KEY)).incarnation(NODE_INCARNATION)
          .registry(r -> r.maxPeers(PEERS));
      for (int p = 0; p < PEERS; p++) {
        builder.peer("peer-" + p, (InetSocketAddress) sink.getLocalAddress());
      }
      node = builder.build().start();
      nodeThreads = threadIds();
      nodeThreads.removeAll(before);
      sender.connect(node.localAddress());
    }

    /** Sends one datagram to the node; one thread at a time. */
    void send(byte[] message) throws java.io.IOException {
      buffer.clear();
      buffer.put(message).flip();
      sender.write(buffer);
    }

    @Override
    public void close() throws java.io.IOException {
      node.close();
      sender.close();
      sink.close();
    }
  }

  private static void throughput(int run, byte[][] messages) throws Exception {
    // The node's own heartbeats (to the sink) are hourly: they do not count here.
    try (Rig rig = new Rig(Duration.ofHours(1))) {
      HeartbeatNode node = rig.node;
      long allocatedBefore = allocated(rig.nodeThreads);
      Thread blaster = new Thread(() -> {
        try {
          for (byte[] message : messages) {
            rig.send(message);
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, "sender");
      long first = 0;
      long last = 0;
      long lastCount = 0;
      long start = System.nanoTime();
      blaster.start();
      while (true) {
        long count = handled(node);
        long now = System.nanoTime();
        if (count > 0 && first == 0) {
          first = now;
        }
        if (count != lastCount) {
          last = now;
          lastCount = count;
        } else if (!blaster.isAlive() && now - last > 500_000_000L) {
          break; // quiet for half a second after the sender finished
        }
        LockSupport.parkNanos(1_000_000);
      }
      long allocatedBytes = allocated(rig.nodeThreads) - allocatedBefore;
      double seconds = (last - first) / 1e9;
      long handled = handled(node);
      long accepted = node.stats().accepted();
      System.out.printf("throughput run %d: %,d of %,d heartbeats handled in %.2f s: %,.0f"
          + " heartbeats/s (%,d recorded, %,d refused by the sequence guard); %,d lost in the"
          + " kernel (the node fell behind); %.1f B allocated per heartbeat on the node's threads;"
          + " sender took %.2f s%n", run, handled, messages.length, seconds, handled / seconds,
          accepted, handled - accepted, messages.length - handled,
          (double) allocatedBytes / Math.max(1, handled), (last - start) / 1e9);
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
