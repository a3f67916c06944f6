package dev.failuredetector.netty.internal;

import java.util.EnumMap;
import java.util.Map;

/** Arithmetic on counters kept by enum constant, for the stats snapshots' {@code minus}. */
public final class EnumCounts {

  private EnumCounts() {}

  /** Each count of {@code now} minus {@code earlier}'s (0 where absent), never below zero. */
  public static <E extends Enum<E>> Map<E, Long> minus(Map<E, Long> now, Map<E, Long> earlier,
      Class<E> type) {
    Map<E, Long> result = new EnumMap<>(type);
    for (Map.Entry<E, Long> entry : now.entrySet()) {
      result.put(entry.getKey(),
          Math.max(0, entry.getValue() - earlier.getOrDefault(entry.getKey(), 0L)));
    }
    return result;
  }
}
