package dev.failuredetector.netty;

import dev.failuredetector.netty.internal.IoChannels;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code http://}: an HTTP/1.1 GET. The status line is the answer (timed when it arrives): a
 * status in the target's range is an arrival, any other marks the target FAILED (UNHEALTHY) at
 * once, a refused connection marks it FAILED (CONNECTION_REFUSED). One request at a time per
 * connection (no pipelining); a connection whose response completed and allows keep-alive is kept
 * for the next probe (one idle connection at most), so a healthy target sees one connection and a
 * request per interval. Bounded: at most as many connections as probes outstanding, the status
 * line and headers to 4 and 8 KiB, the body read and dropped up to {@value #MAX_BODY_BYTES}
 * bytes (beyond, the connection is closed), and a request unanswered for the cap closes its
 * connection. Event loop only.
 */
final class HttpGetProbe implements TargetProbe {

  /** Most body bytes read (and dropped) before the connection is closed. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  private static final AttributeKey<Exchange> EXCHANGE = AttributeKey.valueOf("fd.probe.exchange");

  private final ProbeRunner runner;
  private final EventLoop loop;
  private final long capNanos;
  private final TransportCounters counters;
  private final Bootstrap bootstrap;
  private final String hostHeader;
  private final ArrayDeque<Channel> idle = new ArrayDeque<>(1);
  private final Set<Channel> open = new HashSet<>();
  private boolean closed;

  /** One request on one connection. */
  private static final class Exchange {
    final long number;
    ScheduledFuture<?> deadline;
    boolean answered;
    boolean keepAlive;
    long bodyBytes;

    Exchange(long number) {
      this.number = number;
    }
  }

  HttpGetProbe(ProbeRunner runner, IoChannels io, EventLoop loop, long capNanos,
      TransportCounters counters) {
    this.runner = runner;
    this.loop = loop;
    this.capNanos = capNanos;
    this.counters = counters;
    ProbeTarget target = runner.target;
    int port = target.address().getPort();
    String host = target.host().indexOf(':') >= 0 ? "[" + target.host() + "]" : target.host();
    this.hostHeader = port == 80 ? host : host + ":" + port;
    this.bootstrap = new Bootstrap().group(loop).channel(io.socket())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, TcpConnectProbe.connectTimeoutMillis(capNanos))
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            channel.pipeline().addLast(new HttpClientCodec(4096, 8192, 8192), new Responses());
          }
        });
  }

  @Override
  public void send(long number) {
    if (closed) {
      return;
    }
    Channel channel;
    while ((channel = idle.pollFirst()) != null) {
      if (channel.isActive()) {
        request(channel, number);
        return;
      }
    }
    counters.connectAttempts.increment();
    ChannelFuture connect = bootstrap.connect(runner.target.address());
    connect.addListener(done -> {
      if (done.isSuccess()) {
        if (closed) {
          connect.channel().close();
        } else {
          open.add(connect.channel());
          request(connect.channel(), number);
        }
        return;
      }
      counters.connectFailures.increment();
      if (TcpConnectProbe.isRefused(done.cause())) {
        runner.refused(number);
      }
    });
  }

  private void request(Channel channel, long number) {
    Exchange exchange = new Exchange(number);
    channel.attr(EXCHANGE).set(exchange);
    // Unanswered for the cap: the schedule gives the probe up; the connection goes too.
    exchange.deadline = loop.schedule(() -> {
      if (channel.attr(EXCHANGE).get() == exchange) {
        channel.close();
      }
    }, capNanos, TimeUnit.NANOSECONDS);
    FullHttpRequest get = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
        runner.target.path());
    get.headers().set(HttpHeaderNames.HOST, hostHeader)
        .set(HttpHeaderNames.USER_AGENT, "failure-detector-probe")
        .set(HttpHeaderNames.ACCEPT, "*/*")
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    channel.writeAndFlush(get).addListener(write -> {
      if (!write.isSuccess()) {
        channel.close(); // silence: the schedule's cap gives the probe up
      }
    });
  }

  /** The response's parts: the status is the answer; the rest is read, bounded, and dropped. */
  private final class Responses extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        Exchange exchange = ctx.channel().attr(EXCHANGE).get();
        if (exchange == null) {
          ctx.close(); // bytes with no request outstanding: not an HTTP server we understand
          return;
        }
        if (msg instanceof HttpResponse response && !exchange.answered) {
          exchange.answered = true;
          exchange.keepAlive = HttpUtil.isKeepAlive(response)
              && response.decoderResult().isSuccess();
          int status = response.status().code();
          if (!response.decoderResult().isSuccess()) {
            ctx.close(); // not HTTP: silence
            return;
          }
          if (runner.target.healthy(status)) {
            runner.status(status);
            runner.answered(exchange.number);
          } else {
            runner.unhealthy(exchange.number, status);
          }
        }
        if (msg instanceof HttpContent content) {
          exchange.bodyBytes += content.content().readableBytes();
          if (exchange.bodyBytes > MAX_BODY_BYTES || !content.decoderResult().isSuccess()) {
            ctx.close();
            return;
          }
          if (content instanceof LastHttpContent) {
            finished(ctx.channel(), exchange);
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      counters.handlerErrors.increment();
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      Exchange exchange = ctx.channel().attr(EXCHANGE).getAndSet(null);
      if (exchange != null && exchange.deadline != null) {
        exchange.deadline.cancel(false);
      }
      idle.remove(ctx.channel());
      open.remove(ctx.channel());
    }
  }

  private void finished(Channel channel, Exchange exchange) {
    exchange.deadline.cancel(false);
    channel.attr(EXCHANGE).set(null);
    if (closed || !exchange.keepAlive || !idle.isEmpty()) {
      channel.close();
    } else {
      idle.addLast(channel);
    }
  }

  @Override
  public void close() {
    closed = true;
    idle.clear();
    for (Channel channel : new ArrayList<>(open)) {
      channel.close();
    }
  }
}
