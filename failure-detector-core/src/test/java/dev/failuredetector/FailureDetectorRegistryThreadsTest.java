package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The registry with real threads: its own timer, its own listener threads, concurrent callers. */
class FailureDetectorRegistryThreadsTest {

  private static final Duration GENEROUS = Duration.ofSeconds(30);

  private static FailureDetectorRegistry.Builder deadline(long timeoutMillis) {
    return FailureDetectorRegistry.builder().detector(DetectorSpec.deadline()
        .withInterval(Duration.ofMillis(timeoutMillis))
        .withPause(Duration.ZERO));
  }

  @Test
  void throwingAndBlockingListeners_doNotStopTheOthersNorTheTimer() {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger blockedCalls = new AtomicInteger();
    RecordingListener<Integer> blocked = new RecordingListener<>();
    RecordingListener<Integer> healthy = new RecordingListener<>();
    try (FailureDetectorRegistry<Integer> registry = deadline(500)
        .confirmationTime(Duration.ofHours(1)) // keeps FAILED out of this test
        .listenerQueueCapacity(50).name("isolation-test").build()) {
      registry.addListener(t -> {
        throw new IllegalStateException("listener bug");
      });
      registry.addListener(t -> {
        blockedCalls.incrementAndGet();
        Latches.awaitQuietly(release); // a listener stuck on I/O
        blocked.onTransition(t);
      });
      registry.addListener(healthy);

      for (int key = 0; key < 40; key++) {
        registry.register(key);
      }
      await().atMost(GENEROUS).until(() -> healthy.transitions().size() >= 40);
      for (int key = 0; key < 40; key++) {
        registry.heartbeat(key);
      }
      await().atMost(GENEROUS).until(() -> healthy.transitions().size() >= 80);
      // Nobody heartbeats again: the timer must suspect all 40 although a listener is stuck.
      await().atMost(GENEROUS).until(() -> registry.stats().peers(PeerState.SUSPECTED) == 40);
      await().atMost(GENEROUS).until(() -> healthy.transitions().size() >= 120);

      for (int key = 0; key < 40; key++) {
        assertThat(healthy.reasons(key)).containsExactly(TransitionReason.REGISTERED,
            TransitionReason.FIRST_HEARTBEAT, TransitionReason.TIMEOUT);
      }
      await().atMost(GENEROUS).until(() -> registry.stats().listenerFailures() == 120);
      assertThat(blockedCalls.get()).isEqualTo(1);
      // The stuck listener holds one transition (key 0's REGISTERED) and 50 queued (39
      // REGISTERED, 11 FIRST_HEARTBEAT); the other 69 wait coalesced per peer: 29
      // FIRST_HEARTBEATs each replaced by its peer's TIMEOUT (29 folded), 11 TIMEOUTs alone.
      assertThat(registry.stats().listenerCoalesced()).isEqualTo(29);
      release.countDown();
      await().atMost(GENEROUS).until(() -> blocked.transitions().size() == 1 + 50 + 40);
      for (int key = 0; key < 40; key++) {
        assertThat(blocked.last(key).to()).as("final view of %s", key)
            .isEqualTo(PeerState.SUSPECTED);
      }
      assertThat(blocked.transitions()).filteredOn(t -> t.skipped() == 1).hasSize(29)
          .allSatisfy(t -> assertThat(t.from()).isEqualTo(PeerState.UNKNOWN));
    } finally {
      release.countDown();
    }
  }

  @Test
  void realStalledTimerThread_isCountedAsALocalPause_andBlamesNobody() {
    // The timer thread really stops for 3 s (as in a GC pause or SIGSTOP), longer than the 1 s
    // timeout, while the peer's heartbeats also stop arriving; they resume as the timer wakes.
    AtomicBoolean stallNextTick = new AtomicBoolean();
    CountDownLatch stallEnded = new CountDownLatch(1);
    TickScheduler stallable = (tick, period) -> TickScheduler.daemonThread("stall-test-timer")
        .start(() -> {
          if (stallNextTick.compareAndSet(true, false)) {
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(3)); // the fault being injected
            stallEnded.countDown();
          }
          tick.run();
        }, period);
    RecordingListener<String> events = new RecordingListener<>();
    try (FailureDetectorRegistry<String> registry = deadline(1000).tickScheduler(stallable)
        .localPauseGrace(Duration.ofSeconds(2)).build()) {
      registry.addListener(events);
      registry.register("peer");
      registry.heartbeat("peer");
      stallNextTick.set(true);
      Latches.awaitQuietly(stallEnded);
      registry.heartbeat("peer"); // the heartbeat read right after the process resumed
      await().atMost(GENEROUS).until(() -> registry.stats().localPauses() >= 1);
      assertThat(registry.stats().maxTickLagNanos()).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(2500));
      await().atMost(GENEROUS).until(() -> !registry.stats().holdingSuspicions());
      assertThat(registry.stats().mistakes()).isZero();
      assertThat(events.reasons("peer")).doesNotContain(TransitionReason.RECOVERED);
    }
  }

  /**
   * Threads own disjoint sets of keys and register, heartbeat and remove them at random while
   * another thread advances a manual clock and ticks; listeners see each key's history as one
   * valid chain of states ending in the registry's final answer: nothing lost, nothing doubled.
   */
  @Test
  void concurrentHeartbeatsRegistrationsAndRemovals_noLostOrDuplicatedTransition()
      throws InterruptedException {
    ManualClock clock = new ManualClock(0);
    ManualTicks ticks = new ManualTicks(clock);
    RecordingListener<String> events = new RecordingListener<>();
    FailureDetectorRegistry<String> registry = deadline(30).clock(clock).tickScheduler(ticks)
        .confirmationTime(Duration.ofMillis(50)).listenerExecutor(Runnable::run)
        .maxPeers(1_000).build();
    registry.addListener(events);
    int threads = 4;
    int keysPerThread = 25;
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int worker = t;
      workers.add(new Thread(() -> {
        SplittableRandom random = new SplittableRandom(worker);
        // Each key's sender numbers each of its incarnations from 1, as an honest one does (the
        // registry bounds how far ahead a number may be); a removed key starts afresh.
        long[][] sequences = new long[keysPerThread][3];
        for (int op = 0; op < 200_000; op++) {
          int k = random.nextInt(keysPerThread);
          String key = worker + "-" + k;
          int dice = random.nextInt(100);
          if (dice < 2) {
            registry.remove(key);
            sequences[k] = new long[3];
          } else if (dice < 5) {
            registry.register(key);
          } else if (dice < 6) {
            registry.markFailed(key, TransitionReason.EXTERNAL);
          } else if (dice < 7) {
            int incarnation = random.nextInt(3);
            registry.heartbeat(key, incarnation, ++sequences[k][incarnation], clock.nanoTime());
          } else {
            registry.heartbeat(key);
          }
        }
      }, "worker-" + t));
    }
    Thread ticker = new Thread(() -> {
      while (running.get()) {
        ticks.advanceMillis(10);
      }
    }, "ticker");
    workers.forEach(Thread::start);
    ticker.start();
    for (Thread worker : workers) {
      worker.join(TimeUnit.MINUTES.toMillis(5));
      assertThat(worker.isAlive()).isFalse();
    }
    running.set(false);
    ticker.join(TimeUnit.MINUTES.toMillis(1));
    registry.close();

    Map<String, List<PeerTransition<String>>> byKey = new HashMap<>();
    for (PeerTransition<String> transition : events.transitions()) {
      byKey.computeIfAbsent(transition.key(), k -> new ArrayList<>()).add(transition);
    }
    Map<TransitionReason, Long> reasons = new HashMap<>();
    for (Map.Entry<String, List<PeerTransition<String>>> entry : byKey.entrySet()) {
      PeerState state = PeerState.REMOVED;
      for (PeerTransition<String> transition : entry.getValue()) {
        assertThat(transition.from()).as("%s chain", entry.getKey()).isEqualTo(state);
        if (transition.from() == transition.to()) {
          assertThat(transition.reason()).as("only a restart keeps the state")
              .isEqualTo(TransitionReason.RESTARTED);
        }
        state = transition.to();
        reasons.merge(transition.reason(), 1L, Long::sum);
      }
      assertThat(registry.state(entry.getKey())).as("%s final", entry.getKey()).isEqualTo(state);
    }
    for (TransitionReason reason : TransitionReason.values()) {
      assertThat(registry.stats().transitions(reason)).as("%s counted", reason)
          .isEqualTo(reasons.getOrDefault(reason, 0L));
    }
    // The run exercised every kind of transition the workers can cause.
    assertThat(reasons.keySet()).contains(TransitionReason.REGISTERED, TransitionReason.REMOVED,
        TransitionReason.FIRST_HEARTBEAT, TransitionReason.TIMEOUT, TransitionReason.RECOVERED,
        TransitionReason.EXTERNAL, TransitionReason.RESTARTED);
    long registered = 0;
    for (PeerState state : PeerState.values()) {
      registered += registry.stats().peers(state);
    }
    assertThat(registered).isEqualTo(registry.size());
  }

  @Test
  void heartbeatForAKnownPeer_allocatesNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    ManualClock clock = new ManualClock(0);
    try (FailureDetectorRegistry<String> registry = FailureDetectorRegistry.builder()
        .clock(clock).tickScheduler(new ManualTicks(clock)).build()) {
      String[] keys = new String[100];
      for (int i = 0; i < keys.length; i++) {
        keys[i] = "peer-" + i;
        registry.register(keys[i]);
        registry.heartbeat(keys[i]); // first heartbeat: a transition, allowed to allocate
      }
      registry.heartbeat("unknown"); // counters' first use
      threads.getCurrentThreadAllocatedBytes();
      long before = threads.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < 200_000; i++) {
        clock.set(clock.nanoTime() + 5_000_000);
        registry.heartbeat(keys[i % keys.length]);
        registry.heartbeat(keys[i % keys.length], i / keys.length + 1, clock.nanoTime());
        registry.heartbeat("unknown");
      }
      long allocated = threads.getCurrentThreadAllocatedBytes() - before;
      assertThat(registry.stats().heartbeatsRecorded()).isEqualTo(400_100);
      assertThat(allocated).as("bytes for 600,000 heartbeats").isLessThan(1024);
    }
  }

  /**
   * A heartbeat that moves the peer's deadline earlier than the timer's entry asks the timer to
   * look again; that request (and the timer serving it) allocates nothing either. Phi set for a
   * 1 h interval that hears a heartbeat every 20 ms learns the shorter interval: each heartbeat
   * lowers the mean and pulls every peer's deadline in, and the timer ticks between heartbeats,
   * so each heartbeat makes a new request (as on a node whose peers beat faster than it expects).
   */
  @Test
  void heartbeatsThatMoveTheDeadlineEarlier_andTheTimerServingThem_allocateNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    ManualClock clock = new ManualClock(0);
    ManualTicks ticks = new ManualTicks(clock);
    try (FailureDetectorRegistry<String> registry = FailureDetectorRegistry.builder()
        .detector(DetectorSpec.phi().withInterval(Duration.ofHours(1))).clock(clock)
        .tickScheduler(ticks).build()) {
      String[] keys = new String[100];
      for (int i = 0; i < keys.length; i++) {
        keys[i] = "peer-" + i;
        registry.register(keys[i]);
        registry.heartbeat(keys[i]); // first heartbeat: a transition, allowed to allocate
      }
      ticks.advanceMillis(10);
      long before = threads.getCurrentThreadAllocatedBytes();
      for (int round = 0; round < 2_000; round++) {
        ticks.advanceMillis(10); // every peer's interval: 20 ms
        for (String key : keys) {
          registry.heartbeat(key);
        }
        ticks.advanceMillis(10); // the timer serves this round's requests
      }
      long allocated = threads.getCurrentThreadAllocatedBytes() - before;
      RegistryStats stats = registry.stats();
      assertThat(stats.heartbeatsRecorded()).isEqualTo(200_100);
      assertThat(stats.peers(PeerState.AVAILABLE)).isEqualTo(keys.length);
      assertThat(allocated).as("bytes for 200,000 heartbeats and 4,000 ticks").isLessThan(1024);
    }
  }
}
