package dev.failuredetector;

import java.util.Arrays;

/**
 * Several plug-ins' observers of one peer, called in the order the plug-ins were added: what a
 * peer holds when more than one plug-in watches it (one alone is held as it is).
 */
final class ObserverChain implements ArrivalObserver {

  private final ArrivalObserver[] observers;

  private ObserverChain(ArrivalObserver[] observers) {
    this.observers = observers;
  }

  /** The observers {@code plugins} give {@code key}: null for none, the one, or a chain. */
  static ArrivalObserver of(RegistryPlugin[] plugins, Object key) {
    ArrivalObserver[] found = new ArrivalObserver[plugins.length];
    int n = 0;
    for (RegistryPlugin plugin : plugins) {
      ArrivalObserver observer = plugin.observe(key);
      if (observer != null) {
        found[n++] = observer;
      }
    }
    return n == 0 ? null : n == 1 ? found[0]
        : new ObserverChain(Arrays.copyOf(found, n));
  }

  @Override
  public void arrived(long incarnation, long sequence, long nowNanos) {
    for (ArrivalObserver observer : observers) {
      observer.arrived(incarnation, sequence, nowNanos);
    }
  }

  @Override
  public void restarted(long incarnation) {
    for (ArrivalObserver observer : observers) {
      observer.restarted(incarnation);
    }
  }

  @Override
  public void removed() {
    for (ArrivalObserver observer : observers) {
      observer.removed();
    }
  }
}
