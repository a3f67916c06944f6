package dev.failuredetector.netty;

import java.util.HashMap;
import java.util.Map;

/**
 * Accepts a message from a sender only if it is newer than every message already accepted from
 * it: a higher incarnation, or the same incarnation and a higher sequence number. Drops replays
 * and duplicates. Not thread-safe: owned by the event loop that receives.
 */
final class ReplayGuard {

  private static final class Last {
    long incarnation;
    long sequence;
  }

  private final Map<String, Last> lastBySender = new HashMap<>();

  /** Returns whether the message is new, and if so records it. */
  boolean accept(String senderId, long incarnation, long sequence) {
    Last last = lastBySender.get(senderId);
    if (last == null) {
      last = new Last();
      last.incarnation = incarnation;
      last.sequence = sequence;
      lastBySender.put(senderId, last);
      return true;
    }
    if (incarnation < last.incarnation
        || (incarnation == last.incarnation && sequence <= last.sequence)) {
      return false;
    }
    last.incarnation = incarnation;
    last.sequence = sequence;
    return true;
  }

  /** Forgets a sender (removed peer). */
  void forget(String senderId) {
    lastBySender.remove(senderId);
  }
}
