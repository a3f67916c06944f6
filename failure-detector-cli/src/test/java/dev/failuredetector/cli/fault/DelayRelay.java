package dev.failuredetector.cli.fault;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP link with heavy-tailed delay, in user space (this kernel has no {@code netem}): listens on
 * a loopback port and relays each connection to the target, holding every chunk of bytes, each
 * way, for {@code base + Pareto jitter} (scale {@code scale}, shape {@code shape}, at most {@code
 * max}: netem's {@code pareto} distribution, seeded), in order within a connection (a chunk is
 * never sent before the one before it, as TCP delivers). When the target refuses a connection,
 * the link refuses too: the relay closes that connection with a reset and closes its listening
 * socket until the target accepts again (checked every 5 ms), so a client sees a refused connect
 * from the next attempt on, as it would on a real link to a dead host's port.
 */
final class DelayRelay implements AutoCloseable {

  private final InetSocketAddress target;
  private final long baseNanos;
  private final long scaleNanos;
  private final double shape;
  private final long maxNanos;
  private final SplittableRandom random;
  private final int port;
  private final ScheduledThreadPoolExecutor writer = new ScheduledThreadPoolExecutor(1, r -> {
    Thread thread = new Thread(r, "relay-writer");
    thread.setDaemon(true);
    return thread;
  });
  private final AtomicLong chunks = new AtomicLong();
  private final AtomicLong delayedOver200ms = new AtomicLong();
  private volatile ServerSocket listener;
  private volatile boolean closed;

  DelayRelay(InetSocketAddress target, long baseNanos, long scaleNanos, double shape,
      long maxNanos, long seed) throws IOException {
    this.target = target;
    this.baseNanos = baseNanos;
    this.scaleNanos = scaleNanos;
    this.shape = shape;
    this.maxNanos = maxNanos;
    this.random = new SplittableRandom(seed);
    ServerSocket first = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    this.port = first.getLocalPort();
    this.listener = first;
    Thread acceptor = new Thread(this::accept, "relay-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return port;
  }

  /** Chunks relayed, and those held over 200 ms. */
  long chunks() {
    return chunks.get();
  }

  long delayedOver200ms() {
    return delayedOver200ms.get();
  }

  private synchronized long nextDelayNanos() {
    double u = 1 - random.nextDouble(); // (0, 1]
    double pareto = scaleNanos / Math.pow(u, 1 / shape); // >= scale
    long delay = baseNanos + (long) Math.min(maxNanos, pareto - scaleNanos);
    chunks.incrementAndGet();
    if (delay > 200_000_000L) {
      delayedOver200ms.incrementAndGet();
    }
    return delay;
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        awaitTargetThenListen(); // the listener was closed because the target refused
        continue;
      }
      Socket upstream = new Socket();
      try {
        upstream.setTcpNoDelay(true);
        client.setTcpNoDelay(true);
        upstream.connect(target, 2_000);
      } catch (ConnectException refused) {
        resetQuietly(client);
        closeQuietly(upstream);
        closeQuietly(listener); // refuse from now on, until the target listens again
        continue;
      } catch (IOException e) {
        closeQuietly(client);
        closeQuietly(upstream);
        continue;
      }
      java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger(2);
      Runnable closeBoth = () -> {
        if (open.decrementAndGet() == 0) {
          closeQuietly(client);
          closeQuietly(upstream);
        }
      };
      pump(client, upstream, "relay-up", closeBoth);
      pump(upstream, client, "relay-down", closeBoth);
    }
  }

  private void awaitTargetThenListen() {
    while (!closed) {
      try (Socket check = new Socket()) {
        check.connect(target, 1_000);
      } catch (IOException stillDown) {
        LockSupportPause.pause(5);
        continue;
      }
      try {
        ServerSocket again = new ServerSocket();
        again.setReuseAddress(true);
        again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        listener = again;
        return;
      } catch (IOException e) {
        LockSupportPause.pause(5);
      }
    }
  }

  /**
   * Reads from {@code from} and writes each chunk to {@code to} after its delay, in order, then
   * the end of the stream; {@code finished} runs after that.
   */
  private void pump(Socket from, Socket to, String name, Runnable finished) {
    // Chunks in order, each with the time it is due (never before the one ahead of it). A drain
    // writes every chunk that is due, from the head: however the scheduler orders two drains of
    // one instant, bytes leave in the order they came.
    ArrayDeque<Chunk> line = new ArrayDeque<>();
    Runnable drain = () -> {
      synchronized (line) {
        for (Chunk head; (head = line.peekFirst()) != null
            && System.nanoTime() - head.dueNanos() >= 0; ) {
          line.pollFirst();
          try {
            if (head.bytes() == null) {
              to.shutdownOutput();
              finished.run();
            } else {
              to.getOutputStream().write(head.bytes());
            }
          } catch (IOException e) {
            closeQuietly(to);
            if (head.bytes() == null) {
              finished.run();
            }
          }
        }
      }
    };
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      long lastDue = System.nanoTime();
      try {
        InputStream in = from.getInputStream();
        for (int n; (n = in.read(buffer)) >= 0; ) {
          long now = System.nanoTime();
          lastDue = Math.max(lastDue, now + nextDelayNanos());
          enqueue(line, new Chunk(java.util.Arrays.copyOf(buffer, n), lastDue), drain, now);
        }
      } catch (IOException e) {
        // reset or closed: the end of the stream, as far as the other side will know
      }
      // The end of the stream travels the same line, after the last chunk.
      enqueue(line, new Chunk(null, lastDue), drain, System.nanoTime());
    }, name);
    thread.setDaemon(true);
    thread.start();
  }

  private void enqueue(ArrayDeque<Chunk> line, Chunk chunk, Runnable drain, long now) {
    synchronized (line) {
      line.addLast(chunk);
    }
    try {
      writer.schedule(drain, Math.max(0, chunk.dueNanos() - now), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // the relay is closed
    }
  }

  /** Bytes due at a time; null bytes: the end of the stream. */
  private record Chunk(byte[] bytes, long dueNanos) {}

  private static void resetQuietly(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
    } catch (SocketException e) {
      // closing anyway
    }
    closeQuietly(socket);
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // nothing to do
    }
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly(listener);
    writer.shutdownNow();
  }

  /** A short pause of the relay's own threads (a delay line, not a test waiting). */
  private static final class LockSupportPause {
    static void pause(long millis) {
      java.util.concurrent.locks.LockSupport.parkNanos(millis * 1_000_000L);
    }
  }
}
