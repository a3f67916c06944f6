package dev.failuredetector.netty;

import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.NanoClock;
import dev.failuredetector.TransitionReason;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Turns received datagrams into registry heartbeats and goodbyes. Runs on one event loop. Every
 * bad datagram is counted by reason and dropped: nothing is thrown into the pipeline, nothing is
 * logged per packet. The packet is released by {@link SimpleChannelInboundHandler}.
 */
final class HeartbeatReceiver extends SimpleChannelInboundHandler<DatagramPacket> {

  private final WireCodec codec;
  private final ReplayGuard replayGuard = new ReplayGuard();
  private final FailureDetectorRegistry<String> registry;
  private final NanoClock clock;
  private final Map<DropReason, LongAdder> drops;
  private final LongAdder accepted;
  private final LongAdder handlerErrors;
  private final Function<String, ArrivalRecorder> recorders;

  HeartbeatReceiver(WireCodec codec, FailureDetectorRegistry<String> registry, NanoClock clock,
      Map<DropReason, LongAdder> drops, LongAdder accepted, LongAdder handlerErrors,
      Function<String, ArrivalRecorder> recorders) {
    this.codec = codec;
    this.registry = registry;
    this.clock = clock;
    this.drops = drops;
    this.accepted = accepted;
    this.handlerErrors = handlerErrors;
    this.recorders = recorders;
  }

  static Map<DropReason, LongAdder> newDropCounters() {
    Map<DropReason, LongAdder> counters = new EnumMap<>(DropReason.class);
    for (DropReason reason : DropReason.values()) {
      counters.put(reason, new LongAdder());
    }
    return counters;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    long now = clock.nanoTime();
    WireMessage message = codec.decode(packet.content());
    if (message == null) {
      drops.get(codec.lastDropReason()).increment();
      return;
    }
    String sender = message.senderId();
    if (!registry.contains(sender)) {
      drops.get(DropReason.UNKNOWN_SENDER).increment();
      return;
    }
    if (!replayGuard.accept(sender, message.incarnation(), message.sequence())) {
      drops.get(DropReason.REPLAYED).increment();
      return;
    }
    accepted.increment();
    switch (message.type()) {
      case HEARTBEAT -> {
        registry.heartbeat(sender, message.incarnation(), message.sequence(), now);
        ArrivalRecorder recorder = recorders.apply(sender);
        if (recorder != null) {
          recorder.record(message.incarnation(), message.sequence(), now);
        }
      }
      case GOODBYE -> registry.markFailed(sender, TransitionReason.LEFT);
      default -> { } // PING and ACK: not used by the UDP transport yet
    }
  }

  void forget(String peerId) {
    replayGuard.forget(peerId);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    handlerErrors.increment(); // counted, not logged per packet; the channel stays open
  }
}
