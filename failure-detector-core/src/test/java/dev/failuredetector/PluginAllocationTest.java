package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failuredetector.qos.ArrivalRecording;
import dev.failuredetector.qos.ShadowCandidates;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The plug-in point on the heartbeat path allocates nothing: a peer watched by three plug-ins at
 * once (the interval histogram, arrival recording and a shadow candidate, so the observers are
 * chained) records 200,000 heartbeats without allocating, as a peer watched by none does.
 */
class PluginAllocationTest {

  private static final long MS = 1_000_000L;

  @Test
  void heartbeats_throughChainedObservers_allocateNothing() {
    assertThat(allocatedBytes(true)).as("bytes for 200,000 heartbeats, three plug-ins")
        .isLessThan(1024);
    assertThat(allocatedBytes(false)).as("bytes for 200,000 heartbeats, no plug-in")
        .isLessThan(1024);
  }

  private static long allocatedBytes(boolean plugins) {
    ManualClock clock = new ManualClock(0);
    FailureDetectorRegistry.Builder builder = FailureDetectorRegistry.builder()
        .detector(DetectorSpec.parse("phi:interval=100ms,window=100"))
        .clock(clock).tickScheduler(new ManualTicks(clock));
    if (plugins) {
      builder.plugin(new IntervalHistogram()).plugin(new ArrivalRecording(1_000))
          .plugin(ShadowCandidates.of(List.of(DetectorSpec.parse("chen:margin=80ms"))));
    }
    try (FailureDetectorRegistry<String> registry = builder.build()) {
      MonitoredPeer<String> peer = registry.register("b");
      long now = 0;
      for (int seq = 1; seq <= 20_000; seq++) { // warm up, and let the adders grow their cells
        now += 100 * MS + (seq % 7) * MS;
        clock.set(now);
        peer.heartbeat(seq, now);
      }
      com.sun.management.ThreadMXBean threads =
          (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long before = threads.getCurrentThreadAllocatedBytes();
      for (int seq = 20_001; seq <= 220_000; seq++) {
        now += 100 * MS + (seq % 7) * MS;
        clock.set(now);
        peer.heartbeat(seq, now);
      }
      long allocated = threads.getCurrentThreadAllocatedBytes() - before;
      assertThat(registry.stats().heartbeatsRecorded()).isEqualTo(220_000);
      return allocated;
    }
  }
}
