package dev.failuredetector.qos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Generates heartbeat traces from a stated model, seeded: a sender with a fixed period, a network
 * {@link DelayModel} that may change at given times (regime shifts: a route change, a congested
 * link), and sender pauses (a GC pause or a stopped process) after which the heartbeats that fell
 * due during the pause are sent at once, in a burst, as a timer that ran late does.
 *
 * <pre>{@code
 * HeartbeatTrace trace = SyntheticTrace.builder()
 *     .interval(Duration.ofMillis(100)).duration(Duration.ofHours(1))
 *     .delay(new DelayModel(Duration.ofMillis(2), Duration.ofMillis(1), 0.001))
 *     .delayFrom(Duration.ofMinutes(20), new DelayModel(Duration.ofMillis(40), Duration.ofMillis(10), 0.01))
 *     .senderPause(Duration.ofMinutes(30), Duration.ofMillis(1500))
 *     .seed(1).build();
 * }</pre>
 */
public final class SyntheticTrace {

  private SyntheticTrace() {}

  /** Returns a builder: 100 ms interval, 10 minutes, 1 ms + Exp(1 ms) delay, no loss, seed 1. */
  public static Builder builder() {
    return new Builder();
  }

  private record Regime(long fromNanos, DelayModel delay) {}

  private record Pause(long atNanos, long lengthNanos) {}

  /** Settings of a synthetic trace; each setter checks its value at once. Not thread-safe. */
  public static final class Builder {
    private long intervalNanos = Duration.ofMillis(100).toNanos();
    private long durationNanos = Duration.ofMinutes(10).toNanos();
    private DelayModel delay = new DelayModel(Duration.ofMillis(1), Duration.ofMillis(1), 0);
    private final List<Regime> regimes = new ArrayList<>();
    private final List<Pause> pauses = new ArrayList<>();
    private long seed = 1;

    private Builder() {}

    /** The sender's period; must be positive. */
    public Builder interval(Duration interval) {
      this.intervalNanos = positive("interval", interval);
      return this;
    }

    /** How long the sender sends; must be positive. */
    public Builder duration(Duration duration) {
      this.durationNanos = positive("duration", duration);
      return this;
    }

    /** The delay model from the start. */
    public Builder delay(DelayModel delay) {
      this.delay = Objects.requireNonNull(delay, "delay");
      return this;
    }

    /** From time {@code at} on (since the start), heartbeats follow {@code delay}. */
    public Builder delayFrom(Duration at, DelayModel delay) {
      regimes.add(new Regime(nonNegative("at", at), Objects.requireNonNull(delay, "delay")));
      return this;
    }

    /**
     * At time {@code at} the sender stops for {@code length}; the heartbeats due meanwhile are
     * sent in a burst when it resumes.
     */
    public Builder senderPause(Duration at, Duration length) {
      pauses.add(new Pause(nonNegative("at", at), positive("length", length)));
      return this;
    }

    /** The seed; the same settings and seed give the same trace. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Generates the trace (send and arrival times, on one clock starting at 0). */
    public HeartbeatTrace build() {
      List<Regime> shifts = new ArrayList<>(regimes);
      shifts.sort((a, b) -> Long.compare(a.fromNanos, b.fromNanos));
      List<Pause> stops = new ArrayList<>(pauses);
      stops.sort((a, b) -> Long.compare(a.atNanos, b.atNanos));
      SplittableRandom random = new SplittableRandom(seed);
      int capacity = (int) Math.min(Integer.MAX_VALUE - 8, durationNanos / intervalNanos + 1);
      long[] sequences = new long[capacity];
      long[] sends = new long[capacity];
      long[] arrivals = new long[capacity];
      int count = 0;
      long lastArrival = Long.MIN_VALUE;
      int seq = 0;
      for (long scheduled = 0; scheduled < durationNanos && seq < capacity;
           scheduled += intervalNanos, seq++) {
        long send = scheduled;
        for (Pause pause : stops) {
          if (send >= pause.atNanos && send < pause.atNanos + pause.lengthNanos) {
            send = pause.atNanos + pause.lengthNanos; // sent late, in the burst at the resume
          }
        }
        DelayModel model = delay;
        for (Regime regime : shifts) {
          if (send >= regime.fromNanos) {
            model = regime.delay;
          }
        }
        long latency = model.sampleNanos(random);
        if (latency < 0) {
          continue; // lost
        }
        long arrival = Math.max(send + latency, lastArrival == Long.MIN_VALUE ? 0 : lastArrival);
        sequences[count] = seq;
        sends[count] = send;
        arrivals[count] = arrival;
        lastArrival = arrival;
        count++;
      }
      if (count == 0) {
        throw new IllegalArgumentException("every heartbeat was lost");
      }
      return HeartbeatTrace.ofSendsAndArrivals(Arrays.copyOf(sequences, count),
          Arrays.copyOf(sends, count), Arrays.copyOf(arrivals, count));
    }

    private static long positive(String setting, Duration value) {
      Objects.requireNonNull(value, setting);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(setting + " must be > 0, got " + value);
      }
      return value.toNanos();
    }

    private static long nonNegative(String setting, Duration value) {
      Objects.requireNonNull(value, setting);
      if (value.isNegative()) {
        throw new IllegalArgumentException(setting + " must be >= 0, got " + value);
      }
      return value.toNanos();
    }
  }
}
