package dev.failuredetector;

/**
 * The one way to add a feature to a {@link FailureDetectorRegistry} ({@link
 * FailureDetectorRegistry.Builder#plugin}): it is told when the registry is built, gives each
 * registered peer an {@link ArrivalObserver} (or none), may act on the registry's timer, and is
 * closed with it. Recording arrivals for tuning ({@code qos.ArrivalRecording}), the interval
 * histogram ({@link IntervalHistogram}), shadow candidates and the auto-tuner ({@code
 * qos.ShadowCandidates}, {@code qos.AutoTuner}) are plug-ins, and use nothing but the registry's
 * public API; a registry with none pays nothing for them on the heartbeat path. Find an attached
 * plug-in with {@link FailureDetectorRegistry#plugin(Class)}.
 *
 * <p>A plug-in instance belongs to one registry.
 */
public interface RegistryPlugin {

  /**
   * Called once, when {@code registry} is built (before any peer is registered, on the thread
   * that builds it). Throw {@link IllegalArgumentException} to refuse a registry this plug-in
   * cannot serve (the build fails with it).
   */
  default void attach(FailureDetectorRegistry<?> registry) {}

  /**
   * Called when {@code key} is registered (under the registry's membership lock: keep it quick):
   * the observer of its heartbeats, or null to watch nothing. See {@link ArrivalObserver} for the
   * threads it runs on.
   */
  default ArrivalObserver observe(Object key) {
    return null;
  }

  /** Called on the registry's timer thread after every tick; must not block. */
  default void tick(long nowNanos) {}

  /** Called once when the registry closes. */
  default void close() {}
}
