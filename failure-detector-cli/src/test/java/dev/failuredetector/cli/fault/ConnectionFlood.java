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
 * addresses (127.0.0.2 and up: on Linux all of 127.0.0.0/8 is this machine), every one the server
 * closes opened again at once. What each connection sends is the {@link Mode}. Runs on its own
 * thread until closed.
 */
final class ConnectionFlood implements AutoCloseable {

  /** What the flood's connections send. */
  enum Mode {
    /** Half send nothing, half trickle one byte at a time: never a whole message. */
    SILENT_OR_TRICKLE,
    /**
     * The payload (a recorded frame, length included) as soon as connected, then again every
     * round, on every connection.
     */
    REPLAY,
    /** The payload (a whole request) once when opened, then held open (keep-alive). */
    REQUEST_ONCE
  }

  private final InetSocketAddress target;
  private final int connections;
  private final int sources;
  private final boolean trickleHalf;
  private final Mode mode;
  private final byte[] payload;
  private final List<SocketChannel> open = new ArrayList<>();
  private final Thread thread;
  private final AtomicLong opened = new AtomicLong();
  private final AtomicLong closedByServer = new AtomicLong();
  private volatile boolean stopped;
  private int next;

  /** Half silent, half trickling ({@link Mode#SILENT_OR_TRICKLE}). */
  ConnectionFlood(InetSocketAddress target, int connections, int sources) {
    this(target, connections, sources, Mode.SILENT_OR_TRICKLE, new byte[0]);
  }

  ConnectionFlood(InetSocketAddress target, int connections, int sources, Mode mode,
      byte[] payload) {
    this.target = target;
    this.connections = connections;
    this.sources = sources;
    this.mode = mode;
    this.payload = payload.clone();
    this.trickleHalf = mode == Mode.SILENT_OR_TRICKLE;
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
          if (!closed && mode == Mode.REPLAY && payload.length > 0) {
            channel.write(ByteBuffer.wrap(payload)); // all or part: a full buffer drops the rest
          }
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
      if (mode != Mode.SILENT_OR_TRICKLE) {
        channel.write(ByteBuffer.wrap(payload)); // at once: a frame or request on every connection
      }
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
