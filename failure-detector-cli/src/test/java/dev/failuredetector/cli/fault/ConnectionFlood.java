package dev.failuredetector.cli.fault;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An attacker holding as many connections open to one port as it can, from many loopback source
 * addresses (127.0.0.2 and up: on Linux all of 127.0.0.0/8 is this machine): each connection
 * either sends nothing or trickles one byte at a time, and every one the server closes is opened
 * again at once. Runs on its own thread until closed.
 */
final class ConnectionFlood implements AutoCloseable {

  private final InetSocketAddress target;
  private final int connections;
  private final int sources;
  private final boolean trickleHalf;
  private final List<SocketChannel> open = new ArrayList<>();
  private final Thread thread;
  private final AtomicLong opened = new AtomicLong();
  private final AtomicLong closedByServer = new AtomicLong();
  private volatile boolean stopped;
  private int next;

  ConnectionFlood(InetSocketAddress target, int connections, int sources, boolean trickleHalf) {
    this.target = target;
    this.connections = connections;
    this.sources = sources;
    this.trickleHalf = trickleHalf;
    this.thread = new Thread(this::run, "connection-flood");
    thread.setDaemon(true);
    thread.start();
  }

  /** Connections opened so far (reopened ones included). */
  long opened() {
    return opened.get();
  }

  /** Connections the server closed (and the flood reopened). */
  long closedByServer() {
    return closedByServer.get();
  }

  private void run() {
    ByteBuffer sink = ByteBuffer.allocate(256);
    ByteBuffer oneByte = ByteBuffer.allocate(1);
    long round = 0;
    while (!stopped) {
      while (open.size() < connections && !stopped) {
        SocketChannel channel = connect();
        if (channel == null) {
          break;
        }
        open.add(channel);
      }
      for (int i = 0; i < open.size(); i++) {
        SocketChannel channel = open.get(i);
        boolean closed;
        try {
          sink.clear();
          closed = channel.read(sink) < 0;
          if (!closed && trickleHalf && i % 2 == 1 && round % 4 == 0) {
            oneByte.clear();
            oneByte.put((byte) 'G').flip();
            channel.write(oneByte); // "G", "G", ...: never a whole request or frame
          }
        } catch (IOException e) {
          closed = true;
        }
        if (closed) {
          closedByServer.incrementAndGet();
          quietly(channel);
          SocketChannel again = connect();
          if (again != null) {
            open.set(i, again);
          } else {
            open.remove(i--);
          }
        }
      }
      round++;
      try {
        Thread.sleep(50); // the attacker's own pace, not a wait for a condition
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private SocketChannel connect() {
    try {
      SocketChannel channel = SocketChannel.open();
      channel.bind(new InetSocketAddress("127.0.0." + (2 + next++ % sources), 0));
      channel.connect(target);
      channel.configureBlocking(false);
      opened.incrementAndGet();
      return channel;
    } catch (IOException e) {
      return null; // refused or out of ports: try again next round
    }
  }

  private static void quietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  @Override
  public void close() throws InterruptedException {
    stopped = true;
    thread.join(10_000);
    open.forEach(ConnectionFlood::quietly);
  }
}
