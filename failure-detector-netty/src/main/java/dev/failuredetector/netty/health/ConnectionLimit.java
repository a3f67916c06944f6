package dev.failuredetector.netty.health;

import io.netty.channel.Channel;

/**
 * At most {@code max} connections open at once across the health server's listeners; beyond it a
 * new connection is closed at once (cheaper than answering, and a load balancer never needs many).
 * Called on the server's single event loop only.
 */
final class ConnectionLimit {

  private final int max;
  private final HealthCounters counters;
  /** Written on the event loop only; read by any thread. */
  private volatile int open;

  ConnectionLimit(int max, HealthCounters counters) {
    this.max = max;
    this.counters = counters;
  }

  /** Admits {@code channel} (and counts it until it closes), or closes it and returns false. */
  boolean admit(Channel channel) {
    if (open >= max) {
      counters.connectionsRejected.increment();
      channel.close();
      return false;
    }
    open++; // single writer (the event loop), so ++ on a volatile is safe here
    channel.closeFuture().addListener(done -> open--);
    return true;
  }

  int open() {
    return open;
  }
}
