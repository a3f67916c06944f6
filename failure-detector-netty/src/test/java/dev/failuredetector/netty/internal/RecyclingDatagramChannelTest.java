package dev.failuredetector.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The node's NIO datagram channel on real loopback sockets: every datagram arrives whole and from
 * its sender whether the read batched it with others or not, a slot is reused only once released,
 * and a pipeline that keeps messages gets correct ones (in buffers of their own) rather than
 * overwritten ones.
 */
class RecyclingDatagramChannelTest {

  private static final Duration GENEROUS = Duration.ofSeconds(30);
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private EventLoopGroup group;
  private Channel channel;

  @BeforeEach
  void group() {
    group = IoChannels.nio().newGroup("recycling-test");
  }

  @AfterEach
  void close() throws Exception {
    if (channel != null) {
      channel.close().sync();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  /** What a handler saw: a message's text, its sender's port, and the object it came in. */
  private record Seen(String text, int senderPort, Object message) {}

  /**
   * Binds the node's datagram setup with reads off, so that datagrams queue in the socket and the
   * first read takes a batch of them.
   */
  private List<Seen> bind(boolean release, List<Integer> batchSizes) throws Exception {
    List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
    channel = IoChannels.nio().nodeDatagram(new Bootstrap().group(group))
        .option(ChannelOption.AUTO_READ, false)
        .handler(new ChannelInboundHandlerAdapter() {
          private int batch;

          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReceivedDatagram datagram = (ReceivedDatagram) msg;
            ByteBuf content = datagram.content();
            InetSocketAddress sender = datagram.sender();
            seen.add(new Seen(content.toString(StandardCharsets.US_ASCII), sender.getPort(), msg));
            batch++;
            if (release) {
              ReferenceCountUtil.release(msg);
            }
          }

          @Override
          public void channelReadComplete(ChannelHandlerContext ctx) {
            batchSizes.add(batch);
            batch = 0;
          }
        }).bind(new InetSocketAddress(LOOPBACK, 0)).sync().channel();
    assertThat(channel).isInstanceOf(RecyclingDatagramChannel.class);
    return seen;
  }

  private static void send(DatagramChannel from, InetSocketAddress to, String text)
      throws Exception {
    from.send(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)), to);
  }

  private static DatagramChannel sender() throws Exception {
    return DatagramChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
  }

  /**
   * Turns reads on (each read then takes up to a read's limit of the queued datagrams) and waits
   * for {@code count} messages.
   */
  private void readUntil(List<Seen> seen, int count) {
    channel.config().setAutoRead(true);
    await().atMost(GENEROUS).until(() -> seen.size() >= count);
  }

  @Test
  void batchedRead_deliversEachDatagramWholeFromItsSender_inRecycledSlots() throws Exception {
    List<Integer> batches = Collections.synchronizedList(new ArrayList<>());
    List<Seen> seen = bind(true, batches);
    InetSocketAddress to = (InetSocketAddress) channel.localAddress();
    int messages = 40; // more than one read's 16 slots, queued before the first read
    try (DatagramChannel a = sender(); DatagramChannel b = sender()) {
      for (int i = 0; i < messages; i++) {
        send(i % 2 == 0 ? a : b, to, "message-" + i + "-" + "x".repeat(i * 37));
      }
      readUntil(seen, messages);
      int portA = ((InetSocketAddress) a.getLocalAddress()).getPort();
      int portB = ((InetSocketAddress) b.getLocalAddress()).getPort();
      for (int i = 0; i < messages; i++) {
        assertThat(seen.get(i).text()).isEqualTo("message-" + i + "-" + "x".repeat(i * 37));
        assertThat(seen.get(i).senderPort()).isEqualTo(i % 2 == 0 ? portA : portB);
      }
    }
    // Each read's messages, then its readComplete: wait for the last one's.
    await().atMost(GENEROUS).until(() -> batchTotal(batches) == messages);
    assertThat(batches).as("reads took several datagrams at once").anyMatch(size -> size > 1);
    Set<Object> objects = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Seen s : seen) {
      assertThat(s.message()).isInstanceOf(ReceivedDatagram.class);
      objects.add(s.message());
    }
    assertThat(objects).as("the same slots every read").hasSizeLessThanOrEqualTo(
        RecyclingDatagramChannel.SLOTS);
  }

  private static int batchTotal(List<Integer> batches) {
    synchronized (batches) {
      return batches.stream().mapToInt(Integer::intValue).sum();
    }
  }

  @Test
  void heldMessages_areNeverOverwritten_laterOnesComeInBuffersOfTheirOwn() throws Exception {
    List<Integer> batches = Collections.synchronizedList(new ArrayList<>());
    List<Seen> seen = bind(false, batches); // keeps every message, releases none
    InetSocketAddress to = (InetSocketAddress) channel.localAddress();
    int messages = 50;
    try (DatagramChannel a = sender()) {
      for (int i = 0; i < messages; i++) {
        send(a, to, "held-" + i);
      }
      readUntil(seen, messages);
    }
    int recycled = 0;
    for (int i = 0; i < messages; i++) {
      ReceivedDatagram datagram = (ReceivedDatagram) seen.get(i).message();
      // Read again now, after all later reads: still this message's bytes.
      assertThat(datagram.content().toString(StandardCharsets.US_ASCII)).isEqualTo("held-" + i);
      if (datagram.isSlot()) {
        recycled++;
      }
      assertThat(datagram.release()).isTrue();
      assertThat(datagram.refCnt()).isZero();
    }
    assertThat(recycled).as("only the free slots, once each").isLessThanOrEqualTo(
        RecyclingDatagramChannel.SLOTS);
  }

  @Test
  void everyDatagramWritten_isSentOnce_inOrder() throws Exception {
    List<Integer> batches = Collections.synchronizedList(new ArrayList<>());
    bind(true, batches);
    int messages = 200;
    try (DatagramChannel receiver = sender()) {
      InetSocketAddress to = (InetSocketAddress) receiver.getLocalAddress();
      List<io.netty.channel.ChannelFuture> writes = new ArrayList<>();
      for (int i = 0; i < messages; i++) {
        // Heap and direct buffers both: the node encodes into its allocator's, a user may not.
        ByteBuf content = i % 2 == 0 ? io.netty.buffer.Unpooled.copiedBuffer("sent-" + i,
            StandardCharsets.US_ASCII) : channel.alloc().directBuffer().writeBytes(
            ("sent-" + i).getBytes(StandardCharsets.US_ASCII));
        writes.add(channel.write(new io.netty.channel.socket.DatagramPacket(content, to)));
        if (i % 20 == 19) { // a few at a time: loopback's socket buffer holds them all
          channel.flush();
          for (io.netty.channel.ChannelFuture write : writes) {
            assertThat(write.await(GENEROUS.toMillis())).isTrue();
            assertThat(write.isSuccess()).as("write %s", write.cause()).isTrue();
          }
          writes.clear();
          for (int k = i - 19; k <= i; k++) {
            ByteBuffer in = ByteBuffer.allocate(100);
            receiver.receive(in); // blocking: each one must come
            in.flip();
            assertThat(StandardCharsets.US_ASCII.decode(in).toString()).isEqualTo("sent-" + k);
          }
        }
      }
    }
  }

  @Test
  void writingAnythingButAnAddressedByteBuf_failsThatWrite() throws Exception {
    bind(true, new ArrayList<>());
    io.netty.channel.ChannelFuture write = channel.writeAndFlush("not a datagram");
    assertThat(write.await(GENEROUS.toMillis())).isTrue();
    assertThat(write.cause()).isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("java.lang.String");
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void releasedSlot_isReusedForTheNextRead() throws Exception {
    List<Integer> batches = Collections.synchronizedList(new ArrayList<>());
    List<Seen> seen = bind(true, batches);
    InetSocketAddress to = (InetSocketAddress) channel.localAddress();
    try (DatagramChannel a = sender()) {
      send(a, to, "first");
      readUntil(seen, 1);
      send(a, to, "second");
      await().atMost(GENEROUS).until(() -> seen.size() >= 2);
    }
    assertThat(seen.get(0).message()).isSameAs(seen.get(1).message());
    assertThat(seen.get(1).text()).isEqualTo("second");
    assertThat(((ReceivedDatagram) seen.get(1).message()).isFree()).isTrue();
  }
}
