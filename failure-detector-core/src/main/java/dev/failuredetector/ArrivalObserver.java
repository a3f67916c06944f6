package dev.failuredetector;

/**
 * Watches one peer's accepted heartbeats: what a {@link RegistryPlugin} gives the registry for each
 * peer it registers ({@link RegistryPlugin#observe}). Trace recording, the interval histogram and
 * shadow evaluation are observers; the registry itself needs none.
 *
 * <p><b>Threads and cost.</b> {@link #arrived} and {@link #restarted} run on the peer's heartbeat
 * writer (one thread at a time per peer, the event loop that received the message), inside the
 * heartbeat path: they must not block, log or allocate, and must not throw (an exception reaches
 * the caller of {@code heartbeat}). {@link #removed} runs on the thread that removed the peer, and
 * may overlap a last {@code arrived}. A peer with no observer pays one null check.
 */
public interface ArrivalObserver {

  /**
   * Heartbeat number {@code sequence} of {@code incarnation} was accepted at {@code nowNanos}
   * (fresh: after the staleness check, and after the peer's detector recorded it). Heartbeats
   * without a number are numbered by arrival; without an incarnation, {@code incarnation} is
   * {@link Long#MIN_VALUE}.
   */
  void arrived(long incarnation, long sequence, long nowNanos);

  /**
   * The peer restarted: its detector was replaced by a fresh one for {@code incarnation}, whose
   * first heartbeat {@link #arrived} reports next. Observers that keep per-run state drop it here.
   */
  default void restarted(long incarnation) {}

  /** The peer was removed from the registry; nothing more arrives. */
  default void removed() {}
}
