package dev.failuredetector.cluster;

import dev.failuredetector.NanoClock;
import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A deterministic network of numbered endpoints in one thread, on a manual clock: each message
 * is delivered after a delay ({@code base} plus an exponentially distributed jitter), lost with
 * probability {@code loss}, or dropped by a one-way cut; events run in time order (ties in the
 * order they were scheduled). Same seed, same run.
 *
 * <p>Not thread-safe: one thread schedules and runs.
 */
public final class SimulatedNetwork implements NanoClock {

  /** Receives what the network delivers and the timers that come due. */
  public interface Handler<M> {
    /** A message from {@code from} arrives at {@code to}. */
    void deliver(int from, int to, M message);
  }

  private static final class Event implements Comparable<Event> {
    final long at;
    final long order;
    final int from;
    final int to;
    final Object message;
    final Runnable action;

    Event(long at, long order, int from, int to, Object message, Runnable action) {
      this.at = at;
      this.order = order;
      this.from = from;
      this.to = to;
      this.message = message;
      this.action = action;
    }

    @Override
    public int compareTo(Event o) {
      int c = Long.compare(at, o.at);
      return c != 0 ? c : Long.compare(order, o.order);
    }
  }

  private final PriorityQueue<Event> events = new PriorityQueue<>();
  private final SplittableRandom random;
  private final Set<Long> cuts = new HashSet<>();
  private long baseDelayNanos;
  private long jitterMeanNanos;
  private double loss;
  private long now;
  private long order;
  private long sent;
  private long lost;

  /**
   * @param seed of every random choice the network makes
   * @param baseDelayNanos the least delay of a message
   * @param jitterMeanNanos the mean of the exponential part of the delay (0 for none)
   * @param loss probability that a message is lost, 0 to 1
   */
  public SimulatedNetwork(long seed, long baseDelayNanos, long jitterMeanNanos, double loss) {
    this.random = new SplittableRandom(seed);
    setDelay(baseDelayNanos, jitterMeanNanos);
    setLoss(loss);
  }

  /** Changes the delay of messages sent from now on. */
  public void setDelay(long baseDelayNanos, long jitterMeanNanos) {
    if (baseDelayNanos < 0 || jitterMeanNanos < 0) {
      throw new IllegalArgumentException("delays must be >= 0, got base " + baseDelayNanos
          + " ns, jitter " + jitterMeanNanos + " ns");
    }
    this.baseDelayNanos = baseDelayNanos;
    this.jitterMeanNanos = jitterMeanNanos;
  }

  /** Changes the loss of messages sent from now on. */
  public void setLoss(double loss) {
    if (!(loss >= 0 && loss <= 1)) {
      throw new IllegalArgumentException("loss must be between 0 and 1, got " + loss);
    }
    this.loss = loss;
  }

  /** Messages from {@code from} to {@code to} are dropped from now on (the other way still works). */
  public void cut(int from, int to) {
    cuts.add(link(from, to));
  }

  /** Undoes {@link #cut}. */
  public void heal(int from, int to) {
    cuts.remove(link(from, to));
  }

  private static long link(int from, int to) {
    return ((long) from << 32) | (to & 0xFFFFFFFFL);
  }

  /** Sends a message: delivered to the handler after the delay, unless lost or cut. */
  public <M> void send(int from, int to, M message) {
    sent++;
    if ((loss > 0 && random.nextDouble() < loss) || (!cuts.isEmpty() && cuts.contains(link(from, to)))) {
      lost++;
      return;
    }
    long delay = baseDelayNanos;
    if (jitterMeanNanos > 0) {
      delay += (long) (-jitterMeanNanos * Math.log(1 - random.nextDouble()));
    }
    events.add(new Event(now + delay, order++, from, to, message, null));
  }

  /** Runs {@code action} at {@code atNanos} (now if that has passed). */
  public void at(long atNanos, Runnable action) {
    events.add(new Event(Math.max(atNanos, now), order++, -1, -1, null, action));
  }

  /**
   * Runs every event due up to {@code untilNanos} in order, then sets the clock to it.
   *
   * @return the number of events run
   */
  @SuppressWarnings("unchecked")
  public <M> long runUntil(long untilNanos, Handler<M> handler) {
    long count = 0;
    for (Event e; (e = events.peek()) != null && e.at <= untilNanos; count++) {
      events.poll();
      now = e.at;
      if (e.action != null) {
        e.action.run();
      } else {
        handler.deliver(e.from, e.to, (M) e.message);
      }
    }
    now = Math.max(now, untilNanos);
    return count;
  }

  @Override
  public long nanoTime() {
    return now;
  }

  /** The random source of the network, for callers that want the same seed's choices. */
  public SplittableRandom random() {
    return random;
  }

  /** Messages sent (lost ones included). */
  public long sent() {
    return sent;
  }

  /** Messages lost or cut. */
  public long lost() {
    return lost;
  }
}
