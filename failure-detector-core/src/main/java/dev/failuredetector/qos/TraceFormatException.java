package dev.failuredetector.qos;

import java.io.IOException;
import java.nio.file.Path;

/** A heartbeat trace file that cannot be read: says which file, which line and why. */
public final class TraceFormatException extends IOException {

  private static final long serialVersionUID = 1L;

  private final int line;

  TraceFormatException(Path file, int line, String problem) {
    super(file + (line > 0 ? ":" + line : "") + ": " + problem);
    this.line = line;
  }

  /** The 1-based line number of the problem, or 0 when it concerns the whole file. */
  public int line() {
    return line;
  }
}
