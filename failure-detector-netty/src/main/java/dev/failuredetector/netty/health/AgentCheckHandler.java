package dev.failuredetector.netty.health;

import dev.failuredetector.netty.internal.ConnectionGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * HAProxy's agent check: HAProxy connects, sends the {@code agent-send} string (the peer's id and
 * a newline), and reads one line back; then the connection is closed. The answer is
 *
 * <pre>
 * up NN%                      the peer is up; NN is {@link PeerHealth#weightPercent()}
 * down #STATE REASON          the peer is not up (for example "down #SUSPECTED TIMEOUT")
 * down #unknown peer          the id is not registered
 * </pre>
 *
 * HAProxy marks the server DOWN on "down" and UP on "up" (if its regular check, when configured,
 * agrees), and scales the server's configured weight by NN%. A request line that is too long, not
 * UTF-8 or empty is answered with nothing (HAProxy then leaves the server as it was) and counted;
 * the frame decoder before this handler bounds its length.
 *
 * <p><b>In a Netty server of your own</b> (the {@link HealthServer} adds connection limits, a
 * deadline and its own thread around the same handler):
 * <pre>{@code
 * pipeline.addLast(new LineBasedFrameDecoder(256), AgentCheckHandler.of(HealthView.of(registry)));
 * }</pre>
 * {@code @Sharable}: one instance serves every channel; it runs on the channel's event loop and
 * closes each connection after its answer, as HAProxy expects.
 */
@ChannelHandler.Sharable
public final class AgentCheckHandler extends SimpleChannelInboundHandler<ByteBuf> {

  private final HealthView view;
  private final HealthCounters counters;

  /**
   * A handler answering for the peers of {@code view}.
   *
   * @throws NullPointerException if {@code view} is null
   */
  public static AgentCheckHandler of(HealthView view) {
    return new AgentCheckHandler(Objects.requireNonNull(view, "view must not be null"),
        new HealthCounters());
  }

  AgentCheckHandler(HealthView view, HealthCounters counters) {
    this.view = view;
    this.counters = counters;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ByteBuf line) {
    if (!ctx.channel().isOpen()) {
      return;
    }
    String peer = line.toString(StandardCharsets.UTF_8).strip();
    if (peer.isEmpty() || peer.indexOf('\uFFFD') >= 0) {
      badRequest(ctx);
      return;
    }
    ConnectionGuard.progress(ctx.channel()); // a whole request: its source was answered
    counters.agentAnswers.increment();
    ctx.writeAndFlush(Unpooled.copiedBuffer(answer(view.peer(peer)), StandardCharsets.US_ASCII))
        .addListener(ChannelFutureListener.CLOSE);
  }

  /** The agent's answer, newline included. */
  static String answer(Optional<PeerHealth> health) {
    if (health.isEmpty()) {
      return "down #unknown peer\n";
    }
    PeerHealth peer = health.get();
    return peer.up() ? "up " + peer.weightPercent() + "%\n"
        : "down #" + peer.state() + " " + peer.reason() + "\n";
  }

  private void badRequest(ChannelHandlerContext ctx) {
    counters.agentBadRequests.increment();
    ctx.close();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!ctx.channel().isOpen()) {
      return;
    }
    if (cause instanceof TooLongFrameException) {
      badRequest(ctx);
    } else {
      counters.connectionErrors.increment(); // read timeout or reset: nothing to log per connection
      ctx.close();
    }
  }
}
