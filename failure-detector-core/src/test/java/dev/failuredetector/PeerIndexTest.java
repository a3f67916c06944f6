package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The registry's key index, through the registry's own methods. */
class PeerIndexTest {

  private final ManualClock clock = new ManualClock(0);
  private final FailureDetectorRegistry<Object> registry = FailureDetectorRegistry.builder()
      .maxPeers(100_000).clock(clock).tickScheduler(new ManualTicks(clock))
      .listenerExecutor(Runnable::run).build();

  /** A key whose hash code is the same for all: every lookup probes past the others. */
  private record Colliding(int id) {
    @Override
    public int hashCode() {
      return 42;
    }
  }

  @AfterEach
  void close() {
    registry.close();
  }

  @Test
  void manyKeys_areFoundExactlyWhileRegistered_andAStaleHandleIsRefused() {
    List<MonitoredPeer<Object>> first = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      first.add(registry.register("peer-" + i));
    }
    for (int i = 0; i < 20_000; i += 3) {
      assertThat(registry.remove("peer-" + i)).isTrue();
    }
    for (int i = 0; i < 20_000; i += 6) {
      registry.register("peer-" + i); // again: a new handle
    }
    int expected = 0;
    for (int i = 0; i < 20_000; i++) {
      String key = "peer-" + i;
      boolean registered = i % 3 != 0 || i % 6 == 0;
      expected += registered ? 1 : 0;
      assertThat(registry.contains(key)).as(key).isEqualTo(registered);
      if (!registered) {
        assertThat(registry.peer(key)).as(key).isEmpty();
        assertThat(first.get(i).heartbeat(1, clock.nanoTime()))
            .isEqualTo(HeartbeatOutcome.UNKNOWN_PEER);
      } else if (i % 3 == 0) {
        MonitoredPeer<Object> again = registry.peer(key).orElseThrow();
        assertThat(again).isNotSameAs(first.get(i));
        assertThat(first.get(i).heartbeat(1, clock.nanoTime()))
            .as("the handle of the removed registration").isEqualTo(HeartbeatOutcome.UNKNOWN_PEER);
        assertThat(first.get(i).state()).isEqualTo(PeerState.REMOVED);
        assertThat(again.heartbeat(1, clock.nanoTime())).isEqualTo(HeartbeatOutcome.RECORDED);
      } else {
        assertThat(registry.peer(key)).containsSame(first.get(i));
      }
    }
    assertThat(registry.size()).isEqualTo(expected);
    Set<Object> walked = new HashSet<>();
    registry.forEachPeer(peer -> assertThat(walked.add(peer.key())).isTrue());
    assertThat(walked).hasSize(expected);
    assertThat(registry.heartbeat("peer-3")).isEqualTo(HeartbeatOutcome.UNKNOWN_PEER);
  }

  @Test
  void keysWithOneHashCode_areToldApart_andARemovedOneDoesNotHideTheOthers() {
    for (int i = 0; i < 300; i++) {
      registry.register(new Colliding(i));
    }
    for (int i = 0; i < 300; i += 2) {
      registry.remove(new Colliding(i));
    }
    for (int i = 0; i < 300; i++) {
      Object key = new Colliding(i); // equal, not the same instance
      if (i % 2 == 0) {
        assertThat(registry.peer(key)).isEmpty();
      } else {
        assertThat(registry.peer(key).orElseThrow().key()).isEqualTo(key);
      }
    }
    assertThat(registry.size()).isEqualTo(150);
    assertThat(registry.peer(new Colliding(1000))).isEmpty();
  }

  @Test
  void lookupsDuringRegistrationsAndRemovals_alwaysFindAPresentKey_andNeverAnother()
      throws InterruptedException {
    int stable = 1_000;
    for (int i = 0; i < stable; i++) {
      registry.register("stable-" + i);
    }
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicReference<String> failure = new AtomicReference<>();
    AtomicLong lookups = new AtomicLong();
    List<Thread> readers = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      Thread reader = new Thread(() -> {
        long done = 0;
        int i = 0;
        // at least one full pass after the writer stops, so the last tables are read too
        while (writing.get() || done < 2L * stable) {
          String key = "stable-" + i;
          MonitoredPeer<Object> peer = registry.peer(key).orElse(null);
          if (peer == null || !peer.key().equals(key)) {
            failure.compareAndSet(null, key + " -> " + peer);
          }
          i = i + 1 == stable ? 0 : i + 1;
          done++;
        }
        lookups.addAndGet(done);
      }, "index-reader-" + r);
      readers.add(reader);
      reader.start();
    }
    // Churn: registrations grow the table, removals leave tombstones that force rebuilds.
    for (int round = 0; round < 20; round++) {
      for (int i = 0; i < 2_500; i++) {
        registry.register("churn-" + round + "-" + i);
      }
      for (int i = 0; i < 2_500; i++) {
        registry.remove("churn-" + round + "-" + i);
      }
    }
    writing.set(false);
    for (Thread reader : readers) {
      reader.join(60_000);
      assertThat(reader.isAlive()).as("reader finished").isFalse();
    }
    assertThat(failure.get()).as("a present key missed or answered wrongly").isNull();
    assertThat(lookups.get()).isGreaterThanOrEqualTo(4L * stable);
    assertThat(registry.size()).isEqualTo(stable);
  }

  @Test
  void removingMostKeys_shrinksTheTable_andKeepsTheRest() {
    PeerIndex<Object> index = new PeerIndex<>(); // the registry's own, filled with its handles
    for (int i = 0; i < 20_000; i++) {
      index.put(registry.register("peer-" + i));
    }
    int full = index.capacity();
    assertThat(full).isGreaterThanOrEqualTo(40_000); // at most half full
    for (int i = 10; i < 20_000; i++) {
      assertThat(index.remove("peer-" + i)).as("peer-%d", i).isNotNull();
    }
    assertThat(index.size()).isEqualTo(10);
    assertThat(index.capacity()).as("slots left for 10 keys").isLessThanOrEqualTo(80);
    for (int i = 0; i < 20_000; i++) {
      assertThat(index.get("peer-" + i) != null).as("peer-%d", i).isEqualTo(i < 10);
    }
    index.put(registry.register("again"));
    assertThat(index.get("again")).isNotNull();
  }
}
