package dev.failuredetector.cli.fault;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An attacker's recording of the traffic: a UDP socket on loopback that a node believes is one of
 * its peers. It keeps a copy of every datagram it receives and, when given a target, forwards it
 * there (a tap on the path); {@link #replay} sends the recording to any node later.
 */
final class UdpTap implements AutoCloseable {

  private final DatagramSocket socket;
  private final List<byte[]> recorded = new CopyOnWriteArrayList<>();
  private volatile InetSocketAddress forwardTo;
  private final Thread reader;

  UdpTap() throws SocketException {
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    reader = new Thread(this::read, "udp-tap");
    reader.setDaemon(true);
    reader.start();
  }

  /** The address to give the node as its peer's. */
  InetSocketAddress address() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  /** Forward what arrives to {@code target} (null: record only). */
  void forwardTo(InetSocketAddress target) {
    this.forwardTo = target;
  }

  List<byte[]> recorded() {
    return recorded;
  }

  /** Sends every recorded datagram to {@code target}, from a socket of its own. */
  void replay(InetSocketAddress target) throws IOException {
    replay(recorded, target);
  }

  /** A message as the datagram an attacker holding {@code codec}'s key (or none) would send. */
  static byte[] encode(dev.failuredetector.netty.WireCodec codec,
      dev.failuredetector.netty.WireMessage message) {
    io.netty.buffer.ByteBuf buffer = io.netty.buffer.Unpooled.buffer();
    try {
      codec.encode(message, buffer);
      return io.netty.buffer.ByteBufUtil.getBytes(buffer);
    } finally {
      buffer.release();
    }
  }

  static void replay(List<byte[]> datagrams, InetSocketAddress target) throws IOException {
    try (DatagramSocket attacker = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      for (byte[] datagram : datagrams) {
        attacker.send(new DatagramPacket(datagram, datagram.length, target));
      }
    }
  }

  private void read() {
    byte[] buffer = new byte[512];
    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
    try {
      while (!socket.isClosed()) {
        packet.setLength(buffer.length);
        socket.receive(packet);
        byte[] copy = Arrays.copyOf(buffer, packet.getLength());
        recorded.add(copy);
        InetSocketAddress target = forwardTo;
        if (target != null) {
          socket.send(new DatagramPacket(copy, copy.length, target));
        }
      }
    } catch (IOException e) {
      // closed
    }
  }

  @Override
  public void close() {
    socket.close();
  }
}
