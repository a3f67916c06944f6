package dev.failuredetector.qos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

/**
 * Ten seeded heartbeat traces of the conditions that break tuning, for validating advice out of
 * sample (tune on the first half, replay on the second): a steady WAN path; queueing load that
 * ramps, steps and swings; heavy-tailed delays with bursty loss; receiver stalls (a GC pause
 * holds the arrivals, then delivers them at once); sender stalls (a pause, then a catch-up
 * burst); a route change; a receiver that drains its socket in batches (bursts microseconds
 * apart: the first-estimate trap of phi); and load with receiver stalls together. A sender every
 * 100 ms; delays are FIFO (no heartbeat overtakes another); every trace has send and arrival
 * times on one clock from 0.
 *
 * <p>The queue is a single FIFO link under Poisson background traffic of utilization rho(t)
 * (service 5 ms a packet), sampled at each heartbeat with Lindley's recursion:
 * W = max(0, W + work - dt), the work in dt of mean rho dt and variance 2 rho dt S.
 */
public final class TraceScenarios {

  /** One named trace and what it models. */
  public record Scenario(String name, String model, HeartbeatTrace trace) {}

  private static final long MS = 1_000_000L;
  private static final long INTERVAL = 100 * MS;
  private static final double SERVICE_NANOS = 5 * MS;

  private TraceScenarios() {}

  /** The ten scenarios, each {@code length} long (3 h in the benchmark), from {@code seed}. */
  public static List<Scenario> all(Duration length, long seed) {
    long n = length.toNanos() / INTERVAL;
    if (n < 100) {
      throw new IllegalArgumentException("length must be at least 100 heartbeat intervals"
          + " (10 s), got " + length);
    }
    long total = length.toNanos();
    List<Scenario> scenarios = new ArrayList<>();
    scenarios.add(new Scenario("steady-wan", "20 ms + Exp(5 ms), loss 0.1%",
        generate(n, seed + 1, queue(t -> 0), 20 * MS, 5 * MS, Loss.iid(0.001), Stalls.NONE,
            Stalls.NONE, 0)));
    scenarios.add(new Scenario("load-ramp", "5 ms + queue, rho 0.2 -> 0.85 over the trace",
        generate(n, seed + 2, queue(t -> 0.2 + 0.65 * t / total), 5 * MS, MS / 2,
            Loss.iid(0.0005), Stalls.NONE, Stalls.NONE, 0)));
    scenarios.add(new Scenario("load-step", "5 ms + queue, rho 0.3, then 0.8 from mid-trace",
        generate(n, seed + 3, queue(t -> t < total / 2 ? 0.3 : 0.8), 5 * MS, MS / 2,
            Loss.iid(0.0005), Stalls.NONE, Stalls.NONE, 0)));
    scenarios.add(new Scenario("load-swing", "5 ms + queue, rho 0.5 +- 0.35, period 40 min",
        generate(n, seed + 4, queue(t -> 0.5 + 0.35 * Math.sin(2 * Math.PI * t / (40 * 60e9))),
            5 * MS, MS / 2, Loss.iid(0.0005), Stalls.NONE, Stalls.NONE, 0)));
    scenarios.add(new Scenario("heavy-tail-bursty-loss",
        "10 ms + Pareto(alpha 1.7, 3 ms), Gilbert-Elliott loss (bad 0.3% of the time, 50% lost)",
        generate(n, seed + 5, null, 10 * MS, 3 * MS, Loss.bursty(0.0003, 0.1, 0.5), Stalls.NONE,
            Stalls.NONE, 1.7)));
    scenarios.add(new Scenario("receiver-stalls",
        "2 ms + Exp(1 ms); receiver pauses every ~3 min, lognormal median 250 ms",
        generate(n, seed + 6, null, 2 * MS, MS, Loss.iid(0.0005), Stalls.NONE,
            new Stalls(180e9, 250 * MS, 0.7), 0)));
    scenarios.add(new Scenario("sender-stalls",
        "2 ms + Exp(1 ms); sender pauses every ~4 min, lognormal median 500 ms, then a burst",
        generate(n, seed + 7, null, 2 * MS, MS, Loss.iid(0.0005), new Stalls(240e9, 500 * MS, 0.5),
            Stalls.NONE, 0)));
    scenarios.add(new Scenario("route-change",
        "10 ms + Exp(2 ms), 40 ms + Exp(8 ms) over the middle third, loss 0.1%",
        generate(n, seed + 8, null, 10 * MS, 2 * MS, Loss.iid(0.001), Stalls.NONE, Stalls.NONE,
            0, total / 3, 2 * total / 3)));
    scenarios.add(new Scenario("batched-receiver",
        "1 ms + Exp(0.5 ms); the receiver drains its socket every 350 ms: bursts 2 us apart",
        batched(generate(n, seed + 9, null, MS, MS / 2, Loss.iid(0.0005), Stalls.NONE,
            Stalls.NONE, 0), 350 * MS)));
    scenarios.add(new Scenario("load-and-stalls",
        "5 ms + queue (rho 0.3 -> 0.7), receiver pauses every ~5 min, median 300 ms",
        generate(n, seed + 10, queue(t -> 0.3 + 0.4 * t / total), 5 * MS, MS / 2,
            Loss.iid(0.0005), Stalls.NONE, new Stalls(300e9, 300 * MS, 0.6), 0)));
    return scenarios;
  }

  /**
   * A load that falls at mid-trace (rho 0.8, then 0.3; 5 ms + queue): a busy period that ends,
   * for auto-tuning, which should detect sooner once it has. Not one of {@link #all}.
   */
  public static Scenario loadFall(Duration length, long seed) {
    long n = length.toNanos() / INTERVAL;
    long total = length.toNanos();
    return new Scenario("load-fall", "5 ms + queue, rho 0.8, then 0.3 from mid-trace",
        generate(n, seed, queue(t -> t < total / 2 ? 0.8 : 0.3), 5 * MS, MS / 2,
            Loss.iid(0.0005), Stalls.NONE, Stalls.NONE, 0));
  }

  /** The first half of {@code trace} by time: the heartbeats that arrived before its midpoint. */
  public static int halfIndex(HeartbeatTrace trace) {
    long mid = trace.arrivalNanos(0) + trace.durationNanos() / 2;
    int index = 0;
    while (index < trace.size() && trace.arrivalNanos(index) - mid < 0) {
      index++;
    }
    return index;
  }

  /** The heartbeats {@code [0, end)} of {@code trace} as a trace of their own. */
  public static HeartbeatTrace head(HeartbeatTrace trace, int end) {
    long[] sequences = new long[end];
    long[] sends = trace.hasSends() ? new long[end] : null;
    long[] arrivals = new long[end];
    for (int i = 0; i < end; i++) {
      sequences[i] = trace.sequence(i);
      arrivals[i] = trace.arrivalNanos(i);
      if (sends != null) {
        sends[i] = trace.sendNanos(i);
      }
    }
    return sends == null ? HeartbeatTrace.ofArrivals(sequences, arrivals)
        : HeartbeatTrace.ofSendsAndArrivals(sequences, sends, arrivals);
  }

  /** Utilization over time, for the queue; null for no queue. */
  private static DoubleUnaryOperator queue(DoubleUnaryOperator rho) {
    return rho;
  }

  /** Independent or Gilbert-Elliott (two-state) loss. */
  private record Loss(double probability, double enterBad, double leaveBad, double lossWhenBad) {
    static Loss iid(double probability) {
      return new Loss(probability, 0, 1, 0);
    }

    static Loss bursty(double enterBad, double leaveBad, double lossWhenBad) {
      return new Loss(0, enterBad, leaveBad, lossWhenBad);
    }
  }

  /** Pauses at exponential gaps of mean {@code meanGapNanos}, lognormal lengths. */
  private record Stalls(double meanGapNanos, long medianNanos, double sigma) {
    static final Stalls NONE = new Stalls(0, 0, 0);

    boolean any() {
      return meanGapNanos > 0;
    }

    long[][] draw(long horizon, SplittableRandom random) {
      List<long[]> stalls = new ArrayList<>();
      if (any()) {
        double t = exponential(random, meanGapNanos);
        while (t < horizon) {
          long length = (long) (medianNanos * Math.exp(sigma * gaussian(random)));
          stalls.add(new long[] {(long) t, Math.min(length, 5_000 * MS)});
          t += length + exponential(random, meanGapNanos);
        }
      }
      return stalls.toArray(new long[0][]);
    }
  }

  private static HeartbeatTrace generate(long n, long seed, DoubleUnaryOperator rho, long base,
      long jitter, Loss loss, Stalls senderStalls, Stalls receiverStalls, double paretoAlpha) {
    return generate(n, seed, rho, base, jitter, loss, senderStalls, receiverStalls, paretoAlpha,
        -1, -1);
  }

  private static HeartbeatTrace generate(long n, long seed, DoubleUnaryOperator rho, long base,
      long jitter, Loss loss, Stalls senderStalls, Stalls receiverStalls, double paretoAlpha,
      long routeFrom, long routeTo) {
    SplittableRandom random = new SplittableRandom(seed);
    long horizon = n * INTERVAL;
    long[][] senderPauses = senderStalls.draw(horizon, random);
    long[][] receiverPauses = receiverStalls.draw(horizon + 10_000 * MS, random);
    long[] sequences = new long[(int) n];
    long[] sends = new long[(int) n];
    long[] arrivals = new long[(int) n];
    int count = 0;
    double wait = 0;
    boolean bad = false;
    long lastSend = 0;
    long lastArrival = 0;
    int nextSenderPause = 0;
    int nextReceiverPause = 0;
    for (long seq = 0; seq < n; seq++) {
      long send = seq * INTERVAL;
      while (nextSenderPause < senderPauses.length
          && senderPauses[nextSenderPause][0] + senderPauses[nextSenderPause][1] <= send) {
        nextSenderPause++;
      }
      if (nextSenderPause < senderPauses.length && send >= senderPauses[nextSenderPause][0]) {
        send = senderPauses[nextSenderPause][0] + senderPauses[nextSenderPause][1]; // the burst
      }
      send = Math.max(send, lastSend);
      if (rho != null) {
        double dt = send - lastSend;
        double load = Math.max(0, Math.min(0.97, rho.applyAsDouble(send)));
        double work = load * dt + Math.sqrt(2 * load * dt * SERVICE_NANOS) * gaussian(random);
        wait = Math.max(0, wait + work - dt);
      }
      lastSend = send;
      boolean lost;
      if (loss.enterBad() > 0) {
        bad = bad ? random.nextDouble() >= loss.leaveBad() : random.nextDouble() < loss.enterBad();
        lost = bad && random.nextDouble() < loss.lossWhenBad();
      } else {
        lost = random.nextDouble() < loss.probability();
      }
      if (lost) {
        continue;
      }
      long routeBase = base;
      long routeJitter = jitter;
      if (routeFrom >= 0 && send >= routeFrom && send < routeTo) {
        routeBase = 4 * base;
        routeJitter = 4 * jitter;
      }
      double spread = paretoAlpha > 0
          ? Math.min(5_000 * MS, routeJitter * (Math.pow(1 - random.nextDouble(), -1 / paretoAlpha) - 1))
          : exponential(random, routeJitter);
      long arrival = send + routeBase + (long) wait + (long) spread;
      while (nextReceiverPause < receiverPauses.length
          && receiverPauses[nextReceiverPause][0] + receiverPauses[nextReceiverPause][1] <= arrival) {
        nextReceiverPause++;
      }
      if (nextReceiverPause < receiverPauses.length
          && arrival >= receiverPauses[nextReceiverPause][0]) {
        // Held by the stalled receiver; read at the end of the stall, 2 us apart.
        arrival = receiverPauses[nextReceiverPause][0] + receiverPauses[nextReceiverPause][1];
      }
      arrival = Math.max(arrival, count == 0 ? arrival : lastArrival + (arrival <= lastArrival
          ? 2_000 : 0));
      sequences[count] = seq;
      sends[count] = send;
      arrivals[count] = arrival;
      lastArrival = arrival;
      count++;
    }
    return HeartbeatTrace.ofSendsAndArrivals(Arrays.copyOf(sequences, count),
        Arrays.copyOf(sends, count), Arrays.copyOf(arrivals, count));
  }

  /** The receiver reads every {@code period}: each arrival moves to the next read, 2 us apart. */
  private static HeartbeatTrace batched(HeartbeatTrace trace, long period) {
    int n = trace.size();
    long[] sequences = new long[n];
    long[] sends = new long[n];
    long[] arrivals = new long[n];
    long last = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      long read = (trace.arrivalNanos(i) / period + 1) * period;
      long arrival = last == Long.MIN_VALUE || read > last ? read : last + 2_000;
      sequences[i] = trace.sequence(i);
      sends[i] = trace.sendNanos(i);
      arrivals[i] = arrival;
      last = arrival;
    }
    return HeartbeatTrace.ofSendsAndArrivals(sequences, sends, arrivals);
  }

  private static double exponential(SplittableRandom random, double mean) {
    return mean <= 0 ? 0 : -Math.log(1 - random.nextDouble()) * mean;
  }

  private static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
