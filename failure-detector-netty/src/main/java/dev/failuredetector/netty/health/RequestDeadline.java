package dev.failuredetector.netty.health;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose client takes longer than the timeout to send a whole request (a slow
 * or stalled client, as in "slowloris"), after answering 408. The clock starts at the first bytes
 * of a request and stops when the request is complete ({@link #requestComplete}); an idle
 * keep-alive connection is left to the idle timeout. Sits before the HTTP decoder, so it sees raw
 * bytes. One instance per connection.
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {

  private final long timeoutNanos;
  private final HealthCounters counters;
  private ScheduledFuture<?> deadline;

  RequestDeadline(long timeoutNanos, HealthCounters counters) {
    this.timeoutNanos = timeoutNanos;
    this.counters = counters;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (deadline == null) {
      deadline = ctx.executor().schedule(() -> expire(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
    }
    ctx.fireChannelRead(msg);
  }

  /** The request whose bytes started the clock has been read whole. */
  void requestComplete() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    requestComplete();
    ctx.fireChannelInactive();
  }

  private void expire(ChannelHandlerContext ctx) {
    deadline = null;
    if (!ctx.channel().isActive()) {
      return;
    }
    counters.slowClients.increment();
    // From the tail, so the response passes through the HTTP encoder.
    ctx.channel().writeAndFlush(HttpResponses.error(HttpResponseStatus.REQUEST_TIMEOUT,
        "the request was not received within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
            + " ms")).addListener(ChannelFutureListener.CLOSE);
  }
}
