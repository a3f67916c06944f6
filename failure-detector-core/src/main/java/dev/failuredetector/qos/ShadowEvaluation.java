package dev.failuredetector.qos;

import dev.failuredetector.ArrivalObserver;
import dev.failuredetector.DetectorSpec;
import dev.failuredetector.FailureDetector;
import dev.failuredetector.NanoClock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One peer's shadow candidates: detectors fed the same accepted arrivals as the active one, whose
 * would-be mistakes and detection times are counted, and nothing else (no state, no event). No
 * trace is kept. The heartbeat path ({@link #arrived}) runs under the peer's writer guard,
 * takes no lock and allocates nothing; readers ({@link #results}) see the counters with opaque
 * reads: each exact, together possibly a heartbeat apart.
 */
final class ShadowEvaluation implements ArrivalObserver {

  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final VarHandle DOUBLES = MethodHandles.arrayElementVarHandle(double[].class);
  private static final long NONE = FailureDetector.NO_DEADLINE;

  private final List<DetectorSpec> specs;
  private final NanoClock clock;
  private final FailureDetector[] candidates;
  // Writer only: each candidate's deadline after the last heartbeat, and its timeout then.
  private final long[] deadlines;
  private final long[] lastTimeouts;
  private final boolean[] suspecting;
  // Published with opaque stores.
  private final long[] mistakes;
  private final double[] detectionSums;
  private final long[] heartbeats = new long[1];

  private final ShadowCandidates owner;
  private final Object key;

  ShadowEvaluation(List<DetectorSpec> specs, NanoClock clock, ShadowCandidates owner, Object key) {
    this.owner = owner;
    this.key = key;
    this.specs = specs;
    this.clock = clock;
    int n = specs.size();
    this.candidates = new FailureDetector[n];
    for (int i = 0; i < n; i++) {
      candidates[i] = specs.get(i).newDetector(clock);
    }
    this.deadlines = new long[n];
    Arrays.fill(deadlines, NONE);
    this.lastTimeouts = new long[n];
    this.suspecting = new boolean[n];
    this.mistakes = new long[n];
    this.detectionSums = new double[n];
  }

  /** Writer only: a fresh detector per candidate for a new incarnation; the counts go on. */
  @Override
  public void restarted(long incarnation) {
    for (int i = 0; i < candidates.length; i++) {
      candidates[i] = specs.get(i).newDetector(clock);
      deadlines[i] = NONE;
      suspecting[i] = false;
    }
  }

  /** Writer only: heartbeat {@code sequence} arrived at {@code nowNanos} (accepted, fresh). */
  @Override
  public void arrived(long incarnation, long sequence, long nowNanos) {
    for (int i = 0; i < candidates.length; i++) {
      long deadline = deadlines[i];
      if (deadline != NONE && deadline - nowNanos < 0) {
        // The candidate would have suspected the live peer from its deadline until now; one that
        // was already past its deadline at the last arrival is the same mistake going on.
        if (!(suspecting[i] && lastTimeouts[i] == 0)) {
          LONGS.setOpaque(mistakes, i, (long) LONGS.getOpaque(mistakes, i) + 1);
        }
        suspecting[i] = true;
      } else {
        suspecting[i] = false;
      }
      FailureDetector candidate = candidates[i];
      candidate.heartbeat(sequence, nowNanos);
      long next = candidate.suspectAtNanos();
      long timeout = next == NONE ? 0 : Math.max(0, next - nowNanos);
      deadlines[i] = next;
      lastTimeouts[i] = timeout;
      DOUBLES.setOpaque(detectionSums, i, (double) DOUBLES.getOpaque(detectionSums, i) + timeout);
    }
    LONGS.setOpaque(heartbeats, 0, (long) LONGS.getOpaque(heartbeats, 0) + 1);
  }

  @Override
  public void removed() {
    owner.forget(key, this);
  }

  /**
   * Adds this peer's counts to the sums, per candidate (no allocation: how {@link
   * ShadowCandidates#totals} sums every peer).
   */
  void addTo(long[] heartbeatSums, long[] mistakeSums, double[] detectionSums) {
    long count = (long) LONGS.getOpaque(heartbeats, 0);
    for (int i = 0; i < specs.size(); i++) {
      heartbeatSums[i] += count;
      mistakeSums[i] += (long) LONGS.getOpaque(mistakes, i);
      detectionSums[i] += (double) DOUBLES.getOpaque(this.detectionSums, i);
    }
  }

  /** The counts so far (allocates: for metrics, health pages and auto-tuning). */
  List<ShadowResult> results() {
    long count = (long) LONGS.getOpaque(heartbeats, 0);
    List<ShadowResult> results = new ArrayList<>(specs.size());
    for (int i = 0; i < specs.size(); i++) {
      results.add(new ShadowResult(specs.get(i), count, (long) LONGS.getOpaque(mistakes, i),
          count == 0 ? Double.NaN : (double) DOUBLES.getOpaque(detectionSums, i) / count));
    }
    return results;
  }
}
