package dev.failuredetector;

import java.util.ArrayList;
import java.util.List;

/** Keeps every transition it receives; thread-safe. */
final class RecordingListener<K> implements PeerStateListener<K> {
  private final List<PeerTransition<K>> transitions = new ArrayList<>();

  @Override
  public synchronized void onTransition(PeerTransition<K> transition) {
    transitions.add(transition);
  }

  synchronized List<PeerTransition<K>> transitions() {
    return new ArrayList<>(transitions);
  }

  synchronized List<PeerTransition<K>> of(K key) {
    return transitions.stream().filter(t -> t.key().equals(key)).toList();
  }

  synchronized List<TransitionReason> reasons(K key) {
    return of(key).stream().map(PeerTransition::reason).toList();
  }

  synchronized PeerTransition<K> last(K key) {
    List<PeerTransition<K>> ofKey = of(key);
    return ofKey.isEmpty() ? null : ofKey.get(ofKey.size() - 1);
  }
}
