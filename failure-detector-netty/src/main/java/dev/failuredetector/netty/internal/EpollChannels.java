package dev.failuredetector.netty.internal;

import dev.failuredetector.netty.IoMode;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The native epoll transport; the one class that names Netty's epoll types, loaded only once
 * {@link IoChannels} has found them on the class path.
 */
final class EpollChannels {

  static final IoChannels INSTANCE = new IoChannels(IoMode.EPOLL, EpollDatagramChannel.class,
      EpollSocketChannel.class, EpollServerSocketChannel.class);

  private EpollChannels() {}

  static String unavailability() {
    if (Epoll.isAvailable()) {
      return null;
    }
    Throwable cause = Epoll.unavailabilityCause();
    return cause == null ? "unavailable" : String.valueOf(cause.getMessage());
  }

  /**
   * Whether {@code group} runs epoll: Netty's {@code EpollEventLoopGroup} (both lines), or on
   * Netty 4.2 an {@code IoEventLoopGroup} of {@code EpollIoHandler}, asked by reflection since
   * this class also runs on 4.1, which has neither type.
   */
  static boolean isEpoll(EventLoopGroup group) {
    if (group instanceof EpollEventLoopGroup) {
      return true;
    }
    try {
      ClassLoader loader = EpollChannels.class.getClassLoader();
      Class<?> ioGroup = Class.forName("io.netty.channel.IoEventLoopGroup", false, loader);
      if (!ioGroup.isInstance(group)) {
        return false;
      }
      Class<?> handler = Class.forName("io.netty.channel.epoll.EpollIoHandler", false, loader);
      return (Boolean) ioGroup.getMethod("isIoType", Class.class).invoke(group, handler);
    } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
      return false; // Netty 4.1: only EpollEventLoopGroup runs epoll
    }
  }

  /**
   * Named daemon threads; {@code EpollEventLoopGroup} is the epoll group both Netty 4.1 and 4.2
   * have (4.2 deprecates it for a class 4.1 lacks), as {@link EventLoops#nio} is for NIO.
   */
  @SuppressWarnings("deprecation")
  static EventLoopGroup newGroup(String name) {
    return new EpollEventLoopGroup(1, new DefaultThreadFactory(name, true));
  }

  /**
   * Reads up to {@link IoChannels#DATAGRAMS_PER_READ} datagrams per {@code recvmmsg} call into
   * one reused buffer, each in a slot of {@link IoChannels#DATAGRAM_BYTES}.
   */
  static Bootstrap batched(Bootstrap bootstrap) {
    return bootstrap
        .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, IoChannels.DATAGRAM_BYTES)
        .option(ChannelOption.RCVBUF_ALLOCATOR, new ReusedReceiveBuffer(
            IoChannels.DATAGRAM_BYTES * IoChannels.DATAGRAMS_PER_READ));
  }
}
