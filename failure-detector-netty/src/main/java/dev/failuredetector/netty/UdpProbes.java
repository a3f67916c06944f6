package dev.failuredetector.netty;

import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A node's {@code udp://} probes by target address: where an ACK goes. An ACK is matched by the
 * address it came from (a forged source only reaches the probe of that address, whose numbers it
 * must then hit, which a replay cannot: {@link UdpPingProbe}). Lookups from the event loop,
 * changes from any thread.
 */
final class UdpProbes {

  private final ConcurrentHashMap<InetSocketAddress, UdpPingProbe> byAddress =
      new ConcurrentHashMap<>();

  /**
   * Adds {@code probe} for its target's address.
   *
   * @throws IllegalArgumentException if another probe targets that address
   */
  void add(UdpPingProbe probe, InetSocketAddress address, String id) {
    if (byAddress.putIfAbsent(address, probe) != null) {
      throw new IllegalArgumentException("probe " + id + ": another udp:// probe of this node"
          + " targets " + address + " (one probe per address: ACKs are matched by address)");
    }
  }

  /** Forgets the probe {@code runner} drives, if it is a udp:// one. */
  void removeRunner(ProbeRunner runner) {
    byAddress.values().removeIf(probe -> probe.runner() == runner);
  }

  boolean isEmpty() {
    return byAddress.isEmpty();
  }

  /**
   * An authentic ACK echoing this node came from {@code from}: whether it answered an outstanding
   * probe.
   */
  boolean acknowledged(InetSocketAddress from, long sequence, long incarnation) {
    UdpPingProbe probe = from == null ? null : byAddress.get(from);
    return probe != null && probe.acknowledged(sequence, incarnation);
  }
}
