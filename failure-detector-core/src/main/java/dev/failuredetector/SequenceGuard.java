package dev.failuredetector;

/**
 * Decides whether a peer's numbered message is fresh: the one place staleness is checked. A
 * message of the current incarnation must carry a sequence number above the last one; a message
 * of one of the last few incarnations (the peer restarted since, or a replay of an old life) must
 * be above that incarnation's last one; and no message may move the numbers further than the
 * honest sender could have got by then: {@code advance <= 4 + 2 x elapsed / gap}, elapsed since
 * the last message the comparison is made with (or since registration), {@code gap} the heartbeat
 * interval or, if the sender has been heard faster than that, the mean gap between its counted
 * messages (at least 1 us): a sender configured with a shorter interval than this receiver's is
 * not locked out after a burst of losses. A forger cannot make that gap shorter without messages
 * that are counted. So one forged or corrupted message cannot push the numbers out of an honest
 * sender's reach for longer than about the time it claims to cover.
 *
 * <p>Incarnations are compared for equality only, never ordered: a different one is a restart
 * (whatever its value, so a clock stepped back does not matter), and a new incarnation numbers its
 * messages from 1, so its first must be within the same bound from the last message of any
 * incarnation. The last {@value #REMEMBERED} incarnations are remembered with their last numbers,
 * so that recordings of an earlier life are stale, not a restart back to it.
 *
 * <p><b>A different incarnation is only a candidate until a second message confirms it.</b> Its
 * first fresh message is held ({@link HeartbeatOutcome#UNCONFIRMED_INCARNATION}), changing
 * nothing; it becomes the current incarnation (a restart) when a later, higher-numbered message of
 * the same incarnation arrives with no message of the current one counted in between. A peer that
 * really restarted sends no more messages of its old life, so it is confirmed one message later;
 * one forged message of a made-up incarnation (even signed with the shared key) is forgotten at
 * the peer's next real message and moves nothing: not the incarnation, not the detector, not what
 * a transport echoes back or how it numbers its own messages.
 *
 * <p>Writer-owned: only the thread holding the peer's heartbeat writer guard calls it. {@link
 * MonitoredPeer} extends it rather than holding one, so that a heartbeat reads one object: a guard
 * of its own was one more dependent cache miss per heartbeat at 100,000 peers.
 */
abstract class SequenceGuard {

  /** Incarnations remembered besides the current one. */
  static final int REMEMBERED = 4;
  /** Sequence numbers any message may run ahead of the bound (reordering, a burst). */
  static final long SLACK = 4;
  static final long NONE = Long.MIN_VALUE;

  private long currentIncarnation = NONE;
  private long lastSequence = NONE;
  private long lastNanos;
  /** Exponentially weighted mean gap between counted messages of the current incarnation. */
  private long meanGapNanos;
  /**
   * What is known of incarnations other than the current one, or null until a message of one
   * first comes: most peers never restart, and these fields made up for every peer were 25 of
   * the registry's ~400 bytes a peer (three arrays, before that, 144 of ~650).
   */
  private OtherLives others;

  /** The remembered past incarnations and the candidate new one. */
  private static final class OtherLives {
    /** {@code [incarnation, last sequence, last nanos]} each, for {@code count} of them. */
    final long[] past = new long[3 * REMEMBERED];
    int count;
    int next;
    /** A different incarnation heard once, waiting for a second message. */
    boolean hasCandidate;
    long candidate;
    long candidateSequence;
  }

  /** @param sinceNanos when the peer was registered: the reference of its first message */
  SequenceGuard(long intervalNanos, long sinceNanos) {
    this.lastNanos = sinceNanos;
    this.meanGapNanos = intervalNanos;
  }

  /**
   * Whether message {@code sequence} of {@code incarnation} (ignored when {@code
   * withIncarnation} is false) may be accepted at {@code nowNanos}. The first fresh message of an
   * incarnation other than the current one is remembered as the candidate and refused with {@link
   * HeartbeatOutcome#UNCONFIRMED_INCARNATION}; a later one of the same candidate passes.
   *
   * @return null if it is fresh and plausible, otherwise why it must be dropped
   */
  HeartbeatOutcome check(boolean withIncarnation, long newIncarnation, long sequence,
      long nowNanos) {
    if (!withIncarnation || currentIncarnation == NONE || newIncarnation == currentIncarnation) {
      if (lastSequence != NONE && sequence <= lastSequence) {
        return HeartbeatOutcome.STALE_SEQUENCE;
      }
      long base = lastSequence == NONE ? 0 : lastSequence;
      return plausible(sequence, base, nowNanos - lastNanos, currentGapNanos()) ? null
          : HeartbeatOutcome.IMPLAUSIBLE_SEQUENCE;
    }
    int index = pastIndex(newIncarnation);
    if (index >= 0) {
      if (sequence <= past(index, SEQUENCE)) {
        return HeartbeatOutcome.STALE_INCARNATION;
      }
      if (!plausible(sequence, past(index, SEQUENCE), nowNanos - past(index, NANOS),
          intervalNanos())) {
        return HeartbeatOutcome.IMPLAUSIBLE_SEQUENCE;
      }
    } else if (!plausible(sequence, 0, nowNanos - lastNanos, intervalNanos())) {
      // A new incarnation numbers from 1 and began after the current one was last heard.
      return HeartbeatOutcome.IMPLAUSIBLE_SEQUENCE;
    }
    if (others == null) {
      others = new OtherLives();
    } else if (others.hasCandidate && others.candidate == newIncarnation
        && sequence > others.candidateSequence) {
      return null; // its second message, the current life silent since its first: a restart
    }
    others.hasCandidate = true;
    others.candidate = newIncarnation;
    others.candidateSequence = sequence;
    return HeartbeatOutcome.UNCONFIRMED_INCARNATION;
  }

  /** Whether accepting a message of {@code newIncarnation} changes the incarnation (a restart). */
  boolean changes(boolean withIncarnation, long newIncarnation) {
    return withIncarnation && currentIncarnation != NONE && newIncarnation != currentIncarnation;
  }

  /** Records a message {@link #check} found fresh; a new incarnation becomes the current one. */
  void accept(boolean withIncarnation, long newIncarnation, long sequence, long nowNanos) {
    if (changes(withIncarnation, newIncarnation)) {
      int index = pastIndex(newIncarnation);
      if (others == null) {
        others = new OtherLives(); // check() made it already, unless called without it
      }
      if (index >= 0) {
        remember(index); // swap: the current one takes its place
      } else {
        remember(others.next);
        others.next = (others.next + 1) % REMEMBERED;
        others.count = Math.min(others.count + 1, REMEMBERED);
      }
      currentIncarnation = newIncarnation;
      meanGapNanos = intervalNanos();
      others.hasCandidate = false;
    } else if (withIncarnation && currentIncarnation == NONE) {
      currentIncarnation = newIncarnation;
    } else {
      // A counted message of the current life: whatever claimed to be a new one was not.
      if (others != null) {
        others.hasCandidate = false;
      }
      if (lastSequence != NONE) {
        // Gaps longer than the interval (losses, pauses) say nothing about a faster sender.
        long gap = Math.min(intervalNanos(), Math.max(0, nowNanos - lastNanos));
        meanGapNanos += (gap - meanGapNanos) / 8;
      }
    }
    lastSequence = sequence;
    lastNanos = nowNanos;
  }

  /**
   * The heartbeat interval the sender is configured with, in nanoseconds: the same for all of a
   * registry's peers, so asked for rather than stored in each (8 bytes a peer).
   */
  abstract long intervalNanos();

  /**
   * The current incarnation as the writer sees it, or {@link #NONE} (a {@link MonitoredPeer}
   * publishes its own copy to readers once a restart has been made).
   */
  long currentIncarnation() {
    return currentIncarnation;
  }

  private int pastIndex(long incarnation) {
    if (others == null) {
      return -1;
    }
    for (int i = 0; i < others.count; i++) {
      if (others.past[3 * i + INCARNATION] == incarnation) {
        return i;
      }
    }
    return -1;
  }

  private static final int INCARNATION = 0;
  private static final int SEQUENCE = 1;
  private static final int NANOS = 2;

  private long past(int index, int field) {
    return others.past[3 * index + field];
  }

  /** Stores the current incarnation, its last number and time at remembered slot {@code index}. */
  private void remember(int index) {
    others.past[3 * index + INCARNATION] = currentIncarnation;
    others.past[3 * index + SEQUENCE] = lastSequence;
    others.past[3 * index + NANOS] = lastNanos;
  }

  /** The gap the current incarnation's numbers advance by: the interval, or less if heard so. */
  private long currentGapNanos() {
    return Math.max(1_000, Math.min(intervalNanos(), meanGapNanos));
  }

  private static boolean plausible(long sequence, long base, long elapsedNanos, long gapNanos) {
    long advance = sequence - base;
    if (advance < 0) {
      return false; // a negative first number: no honest sender numbers so
    }
    long reachable = SLACK + 2 * (Math.max(0, elapsedNanos) / gapNanos);
    return advance <= reachable;
  }
}
