package dev.failuredetector.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.nio.AbstractNioMessageChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramChannelConfig;
import io.netty.channel.socket.DefaultDatagramChannelConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.List;

/**
 * A NIO datagram channel whose datagrams arrive as {@link ReceivedDatagram}s recycled from read
 * to read rather than a new {@code DatagramPacket} per datagram, as Netty's own {@code
 * NioDatagramChannel} (a final class) makes: with it a heartbeat received over NIO allocates
 * nothing (that envelope was the last 24 bytes per heartbeat; the JDK reuses the sender's address
 * object while the sender does not change).
 *
 * <p>Netty reads up to a read's message limit (16 for datagrams) and only then passes them down
 * the pipeline, so a read needs one slot per message: slot {@code i}, a direct buffer of {@link
 * IoChannels#DATAGRAM_BYTES}, holds the read's {@code i}-th datagram, the JDK's receive writing
 * into it with no copy. A slot whose last datagram is still held
 * (unreleased) is not reused: that datagram, and the rest of the read, come in a buffer of the
 * channel's allocator instead, still as a {@code ReceivedDatagram}. A datagram longer than a slot
 * is cut to it, as by Netty's fixed receive buffer; none of the wire format's messages is.
 *
 * <p>What the node's socket needs of a datagram channel, and no more: bind, send
 * ({@code DatagramPacket}s, or any {@code AddressedEnvelope} of a {@code ByteBuf}), receive, the
 * socket options of {@link DefaultDatagramChannelConfig}. It never connects, and multicast
 * membership fails with {@link UnsupportedOperationException}.
 *
 * <p>Event loop only, as every channel's reads and writes.
 */
public final class RecyclingDatagramChannel extends AbstractNioMessageChannel
    implements DatagramChannel {

  /** Slots: Netty's usual limit of datagrams per read, which {@link #metadata()} states. */
  static final int SLOTS = 16;
  private static final ChannelMetadata METADATA = new ChannelMetadata(true, SLOTS);

  private final ReceivedDatagram[] slots = new ReceivedDatagram[SLOTS];
  private final DatagramChannelConfig config;

  /** An unbound channel on the JDK's default selector provider. */
  public RecyclingDatagramChannel() {
    super(null, open(), SelectionKey.OP_READ);
    this.config = new Config(this, javaChannel().socket());
    for (int i = 0; i < SLOTS; i++) {
      // A buffer per slot, not slices of one: a slice makes a new NIO view at every read.
      slots[i] = new ReceivedDatagram(
          Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(IoChannels.DATAGRAM_BYTES)));
    }
  }

  private static java.nio.channels.DatagramChannel open() {
    try {
      return java.nio.channels.DatagramChannel.open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a datagram socket", e);
    }
  }

  @Override
  protected java.nio.channels.DatagramChannel javaChannel() {
    return (java.nio.channels.DatagramChannel) super.javaChannel();
  }

  @Override
  protected int doReadMessages(List<Object> buf) throws Exception {
    int index = buf.size(); // this datagram's place in the current read
    ReceivedDatagram slot = index < SLOTS && slots[index].isFree() ? slots[index] : null;
    RecvByteBufAllocator.Handle handle = unsafe().recvBufAllocHandle();
    ByteBuf content = slot != null ? slot.content() : handle.allocate(config.getAllocator());
    boolean handedOver = false;
    try {
      int capacity = slot != null ? IoChannels.DATAGRAM_BYTES : content.writableBytes();
      handle.attemptedBytesRead(capacity);
      // A wrapped direct buffer's view is cached (no object made), the JDK receives into it.
      ByteBuffer target = content.internalNioBuffer(slot != null ? 0 : content.writerIndex(),
          capacity);
      int start = target.position();
      InetSocketAddress sender = (InetSocketAddress) javaChannel().receive(target);
      if (sender == null) {
        return 0;
      }
      int length = target.position() - start;
      handle.lastBytesRead(length);
      buf.add(slot != null ? slot.fill(length, sender)
          : new ReceivedDatagram(content.writerIndex(content.writerIndex() + length), sender));
      handedOver = true;
      return 1;
    } finally {
      if (!handedOver && slot == null) {
        content.release();
      }
    }
  }

  @Override
  protected boolean doWriteMessage(Object msg, ChannelOutboundBuffer in) throws Exception {
    @SuppressWarnings("unchecked") // filterOutboundMessage let only these through
    AddressedEnvelope<ByteBuf, SocketAddress> envelope =
        (AddressedEnvelope<ByteBuf, SocketAddress>) msg;
    ByteBuf data = envelope.content();
    int length = data.readableBytes();
    ByteBuffer source = data.nioBufferCount() == 1
        ? data.internalNioBuffer(data.readerIndex(), length)
        : data.nioBuffer(); // several components: one copy
    int written = javaChannel().send(source, envelope.recipient());
    // Not sent: the socket buffer is full; Netty retries, then waits for OP_WRITE. Sent: Netty
    // removes the message from the buffer (this method must not, or the next goes unsent).
    return written > 0 || length == 0;
  }

  @Override
  protected Object filterOutboundMessage(Object msg) {
    if (msg instanceof AddressedEnvelope<?, ?> envelope
        && envelope.content() instanceof ByteBuf
        && envelope.recipient() instanceof InetSocketAddress) {
      return msg;
    }
    throw new UnsupportedOperationException("this channel sends AddressedEnvelope<ByteBuf,"
        + " InetSocketAddress> (DatagramPacket) only, got " + msg.getClass().getName());
  }

  @Override
  protected boolean continueOnWriteError() {
    return true; // one datagram that cannot be sent does not stop the others
  }

  @Override
  protected boolean closeOnReadError(Throwable cause) {
    // An ICMP error reported on a read (port unreachable) concerns one peer, not this socket.
    return !(cause instanceof SocketException) && super.closeOnReadError(cause);
  }

  @Override
  public ChannelMetadata metadata() {
    return METADATA;
  }

  @Override
  public DatagramChannelConfig config() {
    return config;
  }

  @Override
  public boolean isActive() {
    java.nio.channels.DatagramChannel channel = javaChannel();
    return channel.isOpen()
        && (config.getOption(ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION)
            && isRegistered() || channel.socket().isBound());
  }

  @Override
  public boolean isConnected() {
    return javaChannel().isConnected();
  }

  @Override
  protected SocketAddress localAddress0() {
    return javaChannel().socket().getLocalSocketAddress();
  }

  @Override
  protected SocketAddress remoteAddress0() {
    return javaChannel().socket().getRemoteSocketAddress();
  }

  @Override
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) super.localAddress();
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return (InetSocketAddress) super.remoteAddress();
  }

  @Override
  protected void doBind(SocketAddress localAddress) throws Exception {
    javaChannel().bind(localAddress);
  }

  @Override
  protected boolean doConnect(SocketAddress remoteAddress, SocketAddress localAddress) {
    throw new UnsupportedOperationException("a node's datagram socket does not connect");
  }

  @Override
  protected void doFinishConnect() {
    throw new UnsupportedOperationException("a node's datagram socket does not connect");
  }

  @Override
  protected void doDisconnect() {
    // never connected
  }

  @Override
  protected void doClose() throws Exception {
    javaChannel().close();
  }

  private ChannelFuture noMulticast(ChannelPromise promise) {
    return promise.setFailure(new UnsupportedOperationException(
        "a node's datagram socket does not join multicast groups"));
  }

  @Override
  public ChannelFuture joinGroup(InetAddress group) {
    return noMulticast(newPromise());
  }

  @Override
  public ChannelFuture joinGroup(InetAddress group, ChannelPromise promise) {
    return noMulticast(promise);
  }

  @Override
  public ChannelFuture joinGroup(InetSocketAddress group, NetworkInterface networkInterface) {
    return noMulticast(newPromise());
  }

  @Override
  public ChannelFuture joinGroup(InetSocketAddress group, NetworkInterface networkInterface,
      ChannelPromise promise) {
    return noMulticast(promise);
  }

  @Override
  public ChannelFuture joinGroup(InetAddress group, NetworkInterface networkInterface,
      InetAddress source) {
    return noMulticast(newPromise());
  }

  @Override
  public ChannelFuture joinGroup(InetAddress group, NetworkInterface networkInterface,
      InetAddress source, ChannelPromise promise) {
    return noMulticast(promise);
  }

  @Override
  public ChannelFuture leaveGroup(InetAddress group) {
    return noMulticast(newPromise());
  }

  @Override
  public ChannelFuture leaveGroup(InetAddress group, ChannelPromise promise) {
    return noMulticast(promise);
  }

  @Override
  public ChannelFuture leaveGroup(InetSocketAddress group, NetworkInterface networkInterface) {
    return noMulticast(newPromise());
  }

  @Override
  public ChannelFuture leaveGroup(InetSocketAddress group, NetworkInterface networkInterface,
      ChannelPromise promise) {
    return noMulticast(promise);
  }

  @Override
  public ChannelFuture leaveGroup(InetAddress group, NetworkInterface networkInterface,
      InetAddress source) {
    return noMulticast(newPromise());
  }

  @Override
  public ChannelFuture leaveGroup(InetAddress group, NetworkInterface networkInterface,
      InetAddress source, ChannelPromise promise) {
    return noMulticast(promise);
  }

  @Override
  public ChannelFuture block(InetAddress group, NetworkInterface networkInterface,
      InetAddress sourceToBlock) {
    return noMulticast(newPromise());
  }

  @Override
  public ChannelFuture block(InetAddress group, NetworkInterface networkInterface,
      InetAddress sourceToBlock, ChannelPromise promise) {
    return noMulticast(promise);
  }

  @Override
  public ChannelFuture block(InetAddress group, InetAddress sourceToBlock) {
    return noMulticast(newPromise());
  }

  @Override
  public ChannelFuture block(InetAddress group, InetAddress sourceToBlock,
      ChannelPromise promise) {
    return noMulticast(promise);
  }

  /** Netty's datagram options; turning auto-read off also drops a read already asked for. */
  private final class Config extends DefaultDatagramChannelConfig {
    Config(DatagramChannel channel, java.net.DatagramSocket socket) {
      super(channel, socket);
    }

    @Override
    protected void autoReadCleared() {
      clearReadPending();
    }
  }
}
