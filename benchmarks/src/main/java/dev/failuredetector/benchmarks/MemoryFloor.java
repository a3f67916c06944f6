package dev.failuredetector.benchmarks;

import java.util.SplittableRandom;

/**
 * The least a heartbeat at 100,000 or 1,000,000 peers can cost on this machine, whatever the
 * registry's layout: per operation, one peer's 128-byte record picked in a random order (two
 * longs read and written, nothing else) and, as a heartbeat does, one clock read. Reading the
 * clock waits for the instructions before it (the JVM's {@code System.nanoTime} orders the time
 * stamp counter read), so the next peer's record is not fetched while the last one is still
 * coming from memory: each operation pays a whole memory access. The same loop without the clock
 * read, and a chain of dependent loads over a table of the same size, are printed beside it.
 *
 * <p>A registry's heartbeat by handle cannot be faster than the "with clock" figure at the same
 * number of peers, only slower by its own work; compare {@code RegistryHeartbeatBenchmark}.
 *
 * <p>Run: {@code java -Xmx4g -cp benchmarks/target/benchmarks.jar
 * dev.failuredetector.benchmarks.MemoryFloor}
 */
public final class MemoryFloor {

  private static final int LONGS_PER_PEER = 16;
  private static final int OPERATIONS = 10_000_000;

  private MemoryFloor() {}

  public static void main(String[] args) {
    System.out.printf("%-10s %9s %22s %22s %24s%n", "peers", "MiB", "ns/op with clock read",
        "ns/op without clock", "ns per dependent load");
    for (int peers : new int[] {1_000, 100_000, 1_000_000}) {
      long[] records = new long[peers * LONGS_PER_PEER];
      int[] order = shuffled(peers, new SplittableRandom(peers));
      int[] chain = chain(order);
      long sink = 0;
      double withClock = 0;
      double withoutClock = 0;
      double dependent = 0;
      for (int round = 0; round < 5; round++) { // the last round counts: the first ones warm up
        long start = System.nanoTime();
        for (int k = 0, i = 0; k < OPERATIONS; k++) {
          int base = order[i] * LONGS_PER_PEER;
          long now = System.nanoTime();
          sink += now - records[base];
          records[base] = now;
          records[base + 1]++;
          i = i + 1 == peers ? 0 : i + 1;
        }
        long middle = System.nanoTime();
        for (int k = 0, i = 0; k < OPERATIONS; k++) {
          int base = order[i] * LONGS_PER_PEER;
          long now = k;
          sink += now - records[base];
          records[base] = now;
          records[base + 1]++;
          i = i + 1 == peers ? 0 : i + 1;
        }
        long end = System.nanoTime();
        int at = 0;
        for (int k = 0; k < OPERATIONS; k++) {
          at = chain[at];
        }
        long chained = System.nanoTime();
        sink += at;
        withClock = (middle - start) / (double) OPERATIONS;
        withoutClock = (end - middle) / (double) OPERATIONS;
        dependent = (chained - end) / (double) OPERATIONS;
      }
      System.out.printf("%-10d %9.0f %22.1f %22.1f %24.1f%n", peers,
          records.length * 8.0 / (1 << 20), withClock, withoutClock, dependent);
      if (sink == 42) {
        System.out.println(); // keeps the loops' results alive
      }
    }
  }

  private static int[] shuffled(int size, SplittableRandom random) {
    int[] order = new int[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    for (int i = size - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    return order;
  }

  /**
   * One cycle through every peer's record in the shuffled order, as indexes into an int array
   * with one entry per 128 bytes: each load's address is the previous load's value.
   */
  private static int[] chain(int[] order) {
    int stride = LONGS_PER_PEER * 2; // ints per 128 bytes
    int[] chain = new int[order.length * stride];
    for (int i = 0; i < order.length; i++) {
      int from = order[i] * stride;
      int to = order[i + 1 == order.length ? 0 : i + 1] * stride;
      chain[from] = to;
    }
    return chain;
  }
}
