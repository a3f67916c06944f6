package dev.failuredetector.cluster;

import java.util.Objects;

/**
 * One piece of cluster news, piggybacked on heartbeats and gossip messages and retransmitted a
 * bounded number of times by every node that learns it.
 *
 * <p>Rumors about a member are ordered by the member's cluster incarnation: news about an
 * incarnation older than the one a node knows is stale and changes nothing. Only the member itself
 * raises its incarnation (to refute), so no rumor about an older life outlives a refutation. For
 * one incarnation, {@code FAILED} beats {@code SUSPECT}, which beats {@code ALIVE}.
 *
 * @param kind what it says
 * @param subject the member it is about
 * @param incarnation the subject's cluster incarnation it is about
 * @param accuser the observer that accuses, for {@link Kind#SUSPECT}; {@code null} otherwise
 */
public record Rumor(Kind kind, String subject, long incarnation, String accuser) {

  /** What a rumor says. */
  public enum Kind {
    /** The subject itself says it is alive at this incarnation (a refutation, or joining). */
    ALIVE,
    /** The accuser, an observer of the subject, cannot hear it at this incarnation. */
    SUSPECT,
    /** Enough observers agreed: the subject is failed at this incarnation. */
    FAILED
  }

  /**
   * @throws IllegalArgumentException if a SUSPECT names no accuser, or another kind names one
   */
  public Rumor {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(subject, "subject");
    if ((kind == Kind.SUSPECT) != (accuser != null)) {
      throw new IllegalArgumentException("a " + kind + " rumor "
          + (accuser == null ? "needs an accuser" : "names no accuser, got " + accuser));
    }
  }

  /** The subject says it is alive. */
  public static Rumor alive(String subject, long incarnation) {
    return new Rumor(Kind.ALIVE, subject, incarnation, null);
  }

  /** {@code accuser} suspects {@code subject}. */
  public static Rumor suspect(String subject, long incarnation, String accuser) {
    return new Rumor(Kind.SUSPECT, subject, incarnation, Objects.requireNonNull(accuser));
  }

  /** {@code subject} is confirmed failed. */
  public static Rumor failed(String subject, long incarnation) {
    return new Rumor(Kind.FAILED, subject, incarnation, null);
  }

  /** Whether this rumor makes {@code older} (about the same subject) worth no more sending. */
  boolean supersedes(Rumor older) {
    if (!subject.equals(older.subject)) {
      return false;
    }
    if (incarnation != older.incarnation) {
      return incarnation > older.incarnation;
    }
    if (kind == Kind.SUSPECT && older.kind == Kind.SUSPECT) {
      return accuser.equals(older.accuser);
    }
    return kind.ordinal() >= older.kind.ordinal() && kind != Kind.SUSPECT;
  }

  @Override
  public String toString() {
    return kind + "(" + subject + "@" + incarnation + (accuser == null ? "" : " by " + accuser) + ")";
  }
}
