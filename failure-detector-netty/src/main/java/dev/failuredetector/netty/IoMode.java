package dev.failuredetector.netty;

/**
 * Which of Netty's I/O transports a {@link HeartbeatNode} runs its sockets on.
 *
 * <p>The native epoll transport reads many datagrams per system call ({@code recvmmsg}) and
 * needs Linux and {@code io.netty:netty-transport-native-epoll} (classifier {@code
 * linux-x86_64}, or the one for your platform) on the class path; the command-line tool ships it.
 * NIO works everywhere the JDK does.
 */
public enum IoMode {
  /** Epoll where it is available (Linux, the native library loads), NIO otherwise; the default. */
  AUTO,
  /** Java NIO, on every platform. */
  NIO,
  /** Native epoll; {@link HeartbeatNode.Builder#build()} fails, saying why, where it cannot load. */
  EPOLL
}
