package dev.failuredetector.netty;

import dev.failuredetector.netty.internal.IoChannels;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import java.net.ConnectException;

/**
 * {@code tcp://}: a connect. The completed handshake is the answer; the connection is then closed
 * at once with a reset (SO_LINGER 0, as HAProxy's checks do), so a probe every interval leaves no
 * TIME_WAIT sockets behind. A refused connection (an RST to the SYN: nothing listens) is the fast
 * clue; a timeout, an unreachable host or a reset after connecting are silence. The connect
 * timeout is the schedule's cap. Event loop only.
 */
final class TcpConnectProbe implements TargetProbe {

  private final ProbeRunner runner;
  private final Bootstrap bootstrap;
  private final TransportCounters counters;

  TcpConnectProbe(ProbeRunner runner, IoChannels io, EventLoop loop, long capNanos,
      TransportCounters counters) {
    this.runner = runner;
    this.counters = counters;
    this.bootstrap = new Bootstrap().group(loop).channel(io.socket())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis(capNanos))
        .option(ChannelOption.SO_LINGER, 0)
        .handler(Discard.INSTANCE);
  }

  static int connectTimeoutMillis(long capNanos) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, capNanos / 1_000_000));
  }

  @Override
  public void send(long number) {
    counters.connectAttempts.increment();
    ChannelFuture connect = bootstrap.connect(runner.target.address());
    connect.addListener(done -> {
      Channel channel = connect.channel();
      if (done.isSuccess()) {
        runner.answered(number);
        channel.close();
        return;
      }
      counters.connectFailures.increment();
      if (isRefused(done.cause())) {
        runner.refused(number);
      }
    });
  }

  /** A refused connection, not a timeout (which Netty also reports as a ConnectException). */
  static boolean isRefused(Throwable cause) {
    return cause instanceof ConnectException && !(cause instanceof ConnectTimeoutException);
  }

  /** Whatever the target sends before the close is dropped. */
  @ChannelHandler.Sharable
  static final class Discard extends ChannelInboundHandlerAdapter {
    static final Discard INSTANCE = new Discard();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // a reset: nothing to report, the probe was answered or is silent
    }
  }
}
