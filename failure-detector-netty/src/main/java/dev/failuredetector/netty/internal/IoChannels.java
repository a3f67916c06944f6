package dev.failuredetector.netty.internal;

import dev.failuredetector.netty.IoMode;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * One of Netty's I/O transports as a node uses it: the channel classes of its sockets, the
 * datagram options, and how to make its event loop group. Every bootstrap of a node takes its
 * channel classes from here, since a channel runs only on a loop of its own transport.
 *
 * <p>Immutable; thread-safe.
 */
public final class IoChannels {

  /** Bytes per received datagram: above the wire format's largest message (1,400 bytes). */
  public static final int DATAGRAM_BYTES = 2048;
  /** Datagrams the native transport reads per system call ({@code recvmmsg}). */
  public static final int DATAGRAMS_PER_READ = 16;

  private static final IoChannels NIO = new IoChannels(IoMode.NIO, NioDatagramChannel.class,
      NioSocketChannel.class, NioServerSocketChannel.class);

  private final IoMode mode;
  private final Class<? extends DatagramChannel> datagram;
  private final Class<? extends SocketChannel> socket;
  private final Class<? extends ServerSocketChannel> serverSocket;

  IoChannels(IoMode mode, Class<? extends DatagramChannel> datagram,
      Class<? extends SocketChannel> socket, Class<? extends ServerSocketChannel> serverSocket) {
    this.mode = mode;
    this.datagram = datagram;
    this.socket = socket;
    this.serverSocket = serverSocket;
  }

  /**
   * The transport a node runs on: that of {@code group} if one is given (its loops decide), else
   * the one {@code mode} names, AUTO being epoll where it loads and NIO elsewhere.
   *
   * @throws IllegalStateException if {@code mode} is EPOLL and epoll cannot load here, or a mode
   *     other than AUTO contradicts {@code group}'s loops (the message says which and why)
   */
  public static IoChannels of(IoMode mode, EventLoopGroup group) {
    if (group != null) {
      IoChannels loops = of(group);
      if (mode != IoMode.AUTO && mode != loops.mode) {
        throw new IllegalStateException("io=" + lowerCase(mode) + " but the eventLoopGroup given"
            + " runs " + loops + " loops: leave io unset (the group decides) or pass a group of"
            + " that kind");
      }
      return loops;
    }
    return switch (mode) {
      case AUTO -> epollAvailable() ? EpollChannels.INSTANCE : NIO;
      case NIO -> NIO;
      case EPOLL -> epoll();
    };
  }

  /** Java NIO: everywhere. */
  public static IoChannels nio() {
    return NIO;
  }

  /**
   * Native epoll.
   *
   * @throws IllegalStateException if it cannot be used here: the message says why (no native
   *     library on the class path, not Linux, the library failed to load)
   */
  public static IoChannels epoll() {
    String why = epollUnavailability();
    if (why != null) {
      throw new IllegalStateException("io=epoll cannot be used: " + why
          + "; use io=nio or io=auto (which falls back to NIO)");
    }
    return EpollChannels.INSTANCE;
  }

  /** Whether native epoll can be used here. */
  public static boolean epollAvailable() {
    return epollUnavailability() == null;
  }

  /** Why native epoll cannot be used here, or null if it can. */
  private static String epollUnavailability() {
    try {
      Class.forName("io.netty.channel.epoll.Epoll", false, IoChannels.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return "io.netty:netty-transport-native-epoll is not on the class path";
    }
    return EpollChannels.unavailability();
  }

  /**
   * The transport of a group made elsewhere: epoll if the group runs epoll loops (Netty's {@code
   * EpollEventLoopGroup}, or on Netty 4.2 a {@code MultiThreadIoEventLoopGroup} of {@code
   * EpollIoHandler}), otherwise NIO.
   */
  public static IoChannels of(EventLoopGroup group) {
    return epollAvailable() && EpollChannels.isEpoll(group) ? EpollChannels.INSTANCE : NIO;
  }

  /** {@link IoMode#NIO} or {@link IoMode#EPOLL}. */
  public IoMode mode() {
    return mode;
  }

  private static String lowerCase(IoMode mode) {
    return mode.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** A group of one event loop thread of this transport named {@code name}, a daemon. */
  public EventLoopGroup newGroup(String name) {
    return this == NIO ? EventLoops.nio(name) : EpollChannels.newGroup(name);
  }

  /**
   * A UDP bootstrap for a node's own socket, whose pipeline releases every message before
   * {@code channelRead} returns: on NIO a {@link RecyclingDatagramChannel} (no object per
   * datagram), on epoll as {@link #datagram}.
   */
  public Bootstrap nodeDatagram(Bootstrap bootstrap) {
    if (this != NIO) {
      return datagram(bootstrap);
    }
    // Typed, since Bootstrap also takes a deprecated ChannelFactory a lambda would match.
    io.netty.channel.ChannelFactory<DatagramChannel> recycling = RecyclingDatagramChannel::new;
    // Up to a slot per datagram in each read: one wakeup takes what queued (Netty's own channel
    // would make a buffer per datagram beyond the first, so datagram() reads one per wakeup).
    return bootstrap.channelFactory(recycling).option(ChannelOption.RCVBUF_ALLOCATOR,
        new ReusedReceiveBuffer(DATAGRAM_BYTES).maxMessagesPerRead(RecyclingDatagramChannel.SLOTS));
  }

  /**
   * A UDP bootstrap on this transport with Netty's own datagram channel, reading into one reused
   * buffer ({@link ReusedReceiveBuffer}): for any pipeline (the throughput baseline uses it).
   */
  public Bootstrap datagram(Bootstrap bootstrap) {
    bootstrap.channel(datagram);
    return this == NIO
        ? bootstrap.option(ChannelOption.RCVBUF_ALLOCATOR, new ReusedReceiveBuffer(DATAGRAM_BYTES))
        : EpollChannels.batched(bootstrap);
  }

  /** Netty's own datagram channel of this transport. */
  public Class<? extends DatagramChannel> datagramClass() {
    return datagram;
  }

  public Class<? extends SocketChannel> socket() {
    return socket;
  }

  public Class<? extends ServerSocketChannel> serverSocket() {
    return serverSocket;
  }

  @Override
  public String toString() {
    return lowerCase(mode);
  }
}
