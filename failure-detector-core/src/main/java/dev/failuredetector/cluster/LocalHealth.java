package dev.failuredetector.cluster;

/**
 * How much a node distrusts itself: a score from 0 (healthy) to {@code max}, raised by signs that
 * the node, not its peers, is the problem, and lowered one point per quiet {@code decay} period
 * (Lifeguard's local health multiplier, with our own signs).
 *
 * <p>Signs: the node's own timer ran late (a GC pause, CPU starvation, a stopped process: +2);
 * many of the members it observes went suspected together (its network or its CPU, more likely than
 * a correlated failure: +1 per such episode); it had to refute an accusation against itself
 * (others cannot hear it: +1). A node with score {@code s} accuses a member only after suspecting
 * it for {@code s x accusationDelayPerPoint} (its timeouts grow with its doubt) and, while its own
 * pause is being recovered from, not at all.
 *
 * <p>Used by one thread at a time (the node's); {@link #score()} may be read from any thread.
 */
public final class LocalHealth {

  private final int max;
  private final long decayNanos;
  private volatile int score;
  private long lastChangeNanos;
  private long refutations;
  private long pauses;
  private long suspicionBursts;

  /**
   * @param max the highest score
   * @param decayNanos one point is forgiven per this much time without a new sign
   * @param nowNanos the current time
   */
  LocalHealth(int max, long decayNanos, long nowNanos) {
    this.max = max;
    this.decayNanos = decayNanos;
    this.lastChangeNanos = nowNanos;
  }

  /** The node's own timer ran late. */
  void paused(long nowNanos) {
    pauses++;
    raise(2, nowNanos);
  }

  /** The node had to refute an accusation against itself. */
  void refuted(long nowNanos) {
    refutations++;
    raise(1, nowNanos);
  }

  /** Many observed members became suspected together. */
  void suspicionBurst(long nowNanos) {
    suspicionBursts++;
    raise(1, nowNanos);
  }

  private void raise(int points, long nowNanos) {
    score = Math.min(max, score + points);
    lastChangeNanos = nowNanos;
  }

  /** Forgives a point per quiet decay period. */
  void tick(long nowNanos) {
    int s = score;
    if (s > 0 && nowNanos - lastChangeNanos >= decayNanos) {
      score = s - 1;
      lastChangeNanos = nowNanos;
    }
  }

  /** The current score, 0 (healthy) to {@link #max()}. */
  public int score() {
    return score;
  }

  /** The highest score. */
  public int max() {
    return max;
  }

  /** Refutations this node made. */
  public long refutations() {
    return refutations;
  }

  /** Own pauses seen. */
  public long pauses() {
    return pauses;
  }

  /** Episodes of many observed members suspected together. */
  public long suspicionBursts() {
    return suspicionBursts;
  }
}
