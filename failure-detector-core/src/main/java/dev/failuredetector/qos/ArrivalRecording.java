package dev.failuredetector.qos;

import dev.failuredetector.ArrivalObserver;
import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.RegistryPlugin;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps the last {@code heartbeats} accepted arrivals of every peer in memory (16 bytes each), as
 * traces for {@code tune} and {@link ThresholdTuner}: a {@link RegistryPlugin}.
 * <pre>{@code
 * ArrivalRecording recording = new ArrivalRecording(100_000);  // a day at one heartbeat a second
 * FailureDetectorRegistry<String> registry =
 *     FailureDetectorRegistry.builder().plugin(recording).build();
 * ...
 * HeartbeatTrace trace = recording.trace("orders-2");
 * }</pre>
 * A restart starts the peer's recording afresh: one trace is one run of the sender. Recording is
 * two array stores under the peer's own (uncontended) monitor. Thread-safe.
 */
public final class ArrivalRecording implements RegistryPlugin {

  /** The most arrivals kept per peer. */
  public static final int MAX_HEARTBEATS = 10_000_000;

  private final int capacity;
  private final ConcurrentHashMap<Object, ArrivalRecorder> byPeer = new ConcurrentHashMap<>();
  private volatile boolean attached;

  /**
   * Keeps the last {@code heartbeats} arrivals of each peer.
   *
   * @throws IllegalArgumentException if not between 1 and {@value #MAX_HEARTBEATS}
   */
  public ArrivalRecording(int heartbeats) {
    if (heartbeats < 1 || heartbeats > MAX_HEARTBEATS) {
      throw new IllegalArgumentException("ArrivalRecording heartbeats must be between 1 and"
          + " 10,000,000, got " + heartbeats);
    }
    this.capacity = heartbeats;
  }

  /**
   * The recording plugged into {@code registry}.
   *
   * @throws IllegalStateException if it has none, saying how to add one
   */
  public static ArrivalRecording of(FailureDetectorRegistry<?> registry) {
    return registry.plugin(ArrivalRecording.class).orElseThrow(() -> new IllegalStateException(
        "arrival recording is off: add the plug-in, new ArrivalRecording(n)"
            + " (node --record n on the command line)"));
  }

  /** The most arrivals kept per peer. */
  public int capacity() {
    return capacity;
  }

  @Override
  public void attach(FailureDetectorRegistry<?> registry) {
    if (attached) {
      throw new IllegalArgumentException("an ArrivalRecording serves one registry");
    }
    attached = true;
  }

  @Override
  public ArrivalObserver observe(Object key) {
    ArrivalRecorder recorder = new ArrivalRecorder(capacity, this, key);
    byPeer.put(key, recorder);
    return recorder;
  }

  /**
   * The recorded arrivals of {@code key} (of its current incarnation), oldest first.
   *
   * @throws IllegalStateException if the peer is not registered, or nothing was recorded from it
   *     yet
   */
  public HeartbeatTrace trace(Object key) {
    ArrivalRecorder recorder = key == null ? null : byPeer.get(key);
    if (recorder == null) {
      throw new IllegalStateException("no such peer: " + key);
    }
    HeartbeatTrace trace = recorder.snapshot();
    if (trace == null) {
      throw new IllegalStateException("no heartbeat recorded yet from " + key);
    }
    return trace;
  }

  void forget(Object key, ArrivalRecorder recorder) {
    byPeer.remove(key, recorder);
  }

  @Override
  public String toString() {
    return "ArrivalRecording[" + capacity + " heartbeats per peer]";
  }
}
