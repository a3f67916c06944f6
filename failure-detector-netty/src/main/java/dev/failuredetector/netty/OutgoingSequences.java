package dev.failuredetector.netty;

/**
 * The sequence numbers of the messages a node sends one peer: per life of the peer (the
 * incarnation the messages echo), from 1, advancing with the slots of the send schedule, so a
 * skipped slot (the node paused) is a gap the receiver reads as a loss, and never repeating: two
 * messages in one slot (a goodbye after a round) take consecutive numbers.
 *
 * <p>The last {@value #REMEMBERED} lives are remembered with where their numbering stood, so when
 * the echo turns back to a life it had (it was turned away by a message the receiver then undid),
 * the numbers go on above the last ones sent, instead of starting at 1 again and reading as stale
 * at the peer for as many messages as were sent before.
 *
 * <p>Not thread-safe: the node's event loop only. Allocates nothing.
 */
final class OutgoingSequences {

  /** Lives of the peer whose numbering is kept. */
  static final int REMEMBERED = 4;

  private final long[] echoes = new long[REMEMBERED];
  /** The slot before each life's first message: its number n is sent in slot base + n. */
  private final long[] bases = new long[REMEMBERED];
  private final long[] lasts = new long[REMEMBERED];
  private final long[] used = new long[REMEMBERED];
  private int count;
  private long uses;

  /** The number of the next message to the peer's life {@code echo}, sent in slot {@code slot}. */
  long next(long echo, long slot) {
    int i = indexOf(echo);
    if (i < 0) {
      i = count < REMEMBERED ? count++ : leastRecentlyUsed();
      echoes[i] = echo;
      bases[i] = slot - 1;
      lasts[i] = 0;
    }
    used[i] = ++uses;
    long number = Math.max(lasts[i] + 1, slot - bases[i]);
    lasts[i] = number;
    return number;
  }

  private int indexOf(long echo) {
    for (int i = 0; i < count; i++) {
      if (echoes[i] == echo) {
        return i;
      }
    }
    return -1;
  }

  private int leastRecentlyUsed() {
    int oldest = 0;
    for (int i = 1; i < REMEMBERED; i++) {
      if (used[i] < used[oldest]) {
        oldest = i;
      }
    }
    return oldest;
  }
}
