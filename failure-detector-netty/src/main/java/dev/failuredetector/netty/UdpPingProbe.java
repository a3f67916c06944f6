package dev.failuredetector.netty;

import dev.failuredetector.NanoClock;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;

/**
 * {@code udp://}: a PING in the wire format from the node's own UDP socket, answered with an ACK
 * by the {@link HeartbeatNode} at the target (WIRE-FORMAT.md, "Probes"). The PING's sequence is
 * the probe's number plus a random per-target offset; the ACK echoes it and this node's
 * incarnation. So only the answer to a probe of this target, sent in this life of this node and
 * still outstanding, counts: a recorded ACK is already answered or abandoned, one of another
 * target lands far outside this one's numbers, one of an earlier life of this node does not echo
 * it. Event loop only.
 */
final class UdpPingProbe implements TargetProbe {

  /** Probe numbers this far past the offset are not ours (2^48 probes: 89 years at 10 µs). */
  private static final long NUMBER_RANGE = 1L << 48;

  private final ProbeRunner runner;
  private final Channel socket;
  private final WireCodec codec;
  private final String localId;
  private final long incarnation;
  private final long offset;
  private final NanoClock clock;
  private final TransportCounters counters;

  UdpPingProbe(ProbeRunner runner, Channel socket, WireCodec codec, String localId,
      long incarnation, long offset, NanoClock clock, TransportCounters counters) {
    this.runner = runner;
    this.socket = socket;
    this.codec = codec;
    this.localId = localId;
    this.incarnation = incarnation;
    this.offset = offset;
    this.clock = clock;
    this.counters = counters;
  }

  ProbeRunner runner() {
    return runner;
  }

  @Override
  public void send(long number) {
    WireMessage ping = new WireMessage(MessageType.PING, localId, incarnation, 0, offset + number,
        clock.nanoTime());
    socket.writeAndFlush(new DatagramPacket(codec.encode(ping, socket.alloc()),
        runner.target.address()));
    counters.sent.increment();
  }

  /**
   * An authentic ACK that echoes this node came from the target's address: returns whether it
   * answered an outstanding probe (and so counted).
   */
  boolean acknowledged(long sequence, long targetIncarnation) {
    long number = sequence - offset;
    if (number < 1 || number > NUMBER_RANGE) {
      return false;
    }
    return runner.answered(number, targetIncarnation);
  }
}
