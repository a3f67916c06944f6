package dev.failuredetector.example;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A one-way UDP link on loopback that can be cut: datagrams sent to {@link #address()} go on to
 * the target while {@link #cut} is off, and are dropped while it is on (a host gone silent, as
 * far as the receiver can tell; this kernel has no netem).
 */
final class UdpRelay implements AutoCloseable {

  private final DatagramSocket socket;
  private final InetSocketAddress target;
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean cut;

  UdpRelay(InetSocketAddress target) throws SocketException {
    this.target = target;
    this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread pump = new Thread(this::pump, "udp-relay-" + socket.getLocalPort());
    pump.setDaemon(true);
    pump.start();
  }

  InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
  }

  void cut(boolean cut) {
    this.cut = cut;
  }

  long dropped() {
    return dropped.get();
  }

  private void pump() {
    byte[] buffer = new byte[2048];
    while (!socket.isClosed()) {
      try {
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        socket.receive(packet);
        if (cut) {
          dropped.incrementAndGet();
          continue;
        }
        socket.send(new DatagramPacket(packet.getData(), packet.getOffset(), packet.getLength(),
            target));
      } catch (IOException e) {
        // closed, or the target's port is not open right now (a restart): nothing to relay to
      }
    }
  }

  @Override
  public void close() {
    socket.close();
  }
}
