package dev.failuredetector;

/** {@link NanoClock} backed by {@link System#nanoTime()}; a singleton so it costs nothing to share. */
enum SystemNanoClock implements NanoClock {
  INSTANCE;

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public String toString() {
    return "NanoClock.system()";
  }
}
