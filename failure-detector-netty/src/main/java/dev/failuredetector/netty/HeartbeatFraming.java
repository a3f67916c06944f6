package dev.failuredetector.netty;

import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;

/**
 * The TCP framing of the wire format: each message preceded by its length in 2 bytes, big-endian,
 * at most {@link WireCodec#MAX_MESSAGE_BYTES}. For a pipeline of your own:
 * <pre>{@code
 * pipeline.addLast(HeartbeatFraming.decoder(), HeartbeatFraming.prepender(),
 *     node.newInboundHandler());
 * }</pre>
 * A longer frame fails the decoder with a {@code TooLongFrameException} at once (the length is
 * read first), which the inbound handler counts as OVERSIZED and closes the connection on.
 */
public final class HeartbeatFraming {

  private static final int LENGTH_BYTES = 2;
  private static final LengthFieldPrepender PREPENDER = new LengthFieldPrepender(LENGTH_BYTES);

  private HeartbeatFraming() {}

  /** A new frame decoder (one per channel: it keeps partial frames). */
  public static ChannelHandler decoder() {
    // Netty's maximum counts the length field itself (it limits what it buffers), so the largest
    // message (a 64-byte id with a tag) needs its 2 bytes added, or such a peer cannot use TCP.
    return new LengthFieldBasedFrameDecoder(WireCodec.MAX_MESSAGE_BYTES + LENGTH_BYTES, 0,
        LENGTH_BYTES, 0, LENGTH_BYTES, true);
  }

  /** The length prepender for outbound messages ({@code @Sharable}: one for every channel). */
  public static ChannelHandler prepender() {
    return PREPENDER;
  }
}
