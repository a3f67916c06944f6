package dev.failuredetector.qos;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PushbackInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A recorded (or generated) sequence of heartbeats from one sender: each heartbeat's sequence
 * number, and its send time and/or arrival time in nanoseconds. Immutable.
 *
 * <p><b>File format</b> (../shared/traces/README.md): CSV, optionally gzip-compressed (detected
 * from the content), a header line, then one heartbeat per line. Headers: {@code seq,arrival_ns},
 * {@code seq,send_ns,arrival_ns} or {@code seq,send_ns}. Sequence numbers strictly increase;
 * times never decrease. Send and arrival times may come from different, unsynchronised clocks: a
 * replay uses arrival times only. A send-only trace needs arrivals from a {@link DelayModel}
 * before it can be replayed.
 */
public final class HeartbeatTrace {

  private final long[] sequences;
  private final long[] sendNanos;
  private final long[] arrivalNanos;

  private HeartbeatTrace(long[] sequences, long[] sendNanos, long[] arrivalNanos) {
    this.sequences = sequences;
    this.sendNanos = sendNanos;
    this.arrivalNanos = arrivalNanos;
  }

  /**
   * A trace of arrivals.
   *
   * @throws IllegalArgumentException if the arrays differ in length, are empty, sequence numbers
   *     do not strictly increase or arrival times decrease (naming the index)
   */
  public static HeartbeatTrace ofArrivals(long[] sequences, long[] arrivalNanos) {
    check(sequences, arrivalNanos, "arrivalNanos");
    return new HeartbeatTrace(sequences.clone(), null, arrivalNanos.clone());
  }

  /**
   * A trace of send times only (see {@link DelayModel}); same checks as {@link #ofArrivals}. Not
   * public: users read send traces from files ({@link #read}); the library's scenarios and tests
   * build them here.
   */
  static HeartbeatTrace ofSends(long[] sequences, long[] sendNanos) {
    check(sequences, sendNanos, "sendNanos");
    return new HeartbeatTrace(sequences.clone(), sendNanos.clone(), null);
  }

  static HeartbeatTrace ofSendsAndArrivals(long[] sequences, long[] sendNanos, long[] arrivalNanos) {
    check(sequences, arrivalNanos, "arrivalNanos");
    return new HeartbeatTrace(sequences, sendNanos, arrivalNanos);
  }

  private static void check(long[] sequences, long[] times, String timesName) {
    Objects.requireNonNull(sequences, "sequences");
    Objects.requireNonNull(times, timesName);
    if (sequences.length != times.length) {
      throw new IllegalArgumentException("sequences and " + timesName + " differ in length: "
          + sequences.length + " and " + times.length);
    }
    if (sequences.length == 0) {
      throw new IllegalArgumentException("a trace needs at least one heartbeat");
    }
    for (int i = 1; i < sequences.length; i++) {
      if (sequences[i] <= sequences[i - 1]) {
        throw new IllegalArgumentException("sequence numbers must increase: index " + i + " has "
            + sequences[i] + " after " + sequences[i - 1]);
      }
      if (times[i] - times[i - 1] < 0) {
        throw new IllegalArgumentException(timesName + " must not decrease: index " + i + " has "
            + times[i] + " after " + times[i - 1]);
      }
    }
  }

  /**
   * Reads a trace file (CSV or gzip-compressed CSV).
   *
   * @throws NoSuchFileException if the file does not exist
   * @throws TraceFormatException for a bad header, a bad row (with its line number) or no rows
   */
  public static HeartbeatTrace read(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    try (InputStream raw = Files.newInputStream(file);
         BufferedReader reader = new BufferedReader(
             new InputStreamReader(decompressIfGzip(raw), StandardCharsets.US_ASCII))) {
      String header = reader.readLine();
      if (header == null) {
        throw new TraceFormatException(file, 0, "empty file: expected a header line");
      }
      String[] columns = header.trim().split(",");
      int sendColumn = -1;
      int arrivalColumn = -1;
      String normalized = String.join(",", columns).replace(" ", "");
      switch (normalized) {
        case "seq,arrival_ns" -> arrivalColumn = 1;
        case "seq,send_ns,arrival_ns" -> {
          sendColumn = 1;
          arrivalColumn = 2;
        }
        case "seq,send_ns" -> sendColumn = 1;
        default -> throw new TraceFormatException(file, 1, "unknown header '" + header.trim()
            + "': expected seq,arrival_ns or seq,send_ns,arrival_ns or seq,send_ns");
      }
      int width = columns.length;
      long[] sequences = new long[1024];
      long[] sends = sendColumn >= 0 ? new long[1024] : null;
      long[] arrivals = arrivalColumn >= 0 ? new long[1024] : null;
      int count = 0;
      int lineNumber = 1;
      String line;
      while ((line = reader.readLine()) != null) {
        lineNumber++;
        if (line.isBlank()) {
          continue;
        }
        String[] fields = line.split(",", -1);
        if (fields.length != width) {
          throw new TraceFormatException(file, lineNumber, "expected " + width
              + " comma-separated numbers, got " + fields.length + ": '" + line + "'");
        }
        if (count == sequences.length) {
          sequences = Arrays.copyOf(sequences, count * 2);
          sends = sends == null ? null : Arrays.copyOf(sends, count * 2);
          arrivals = arrivals == null ? null : Arrays.copyOf(arrivals, count * 2);
        }
        sequences[count] = parse(file, lineNumber, "seq", fields[0]);
        if (count > 0 && sequences[count] <= sequences[count - 1]) {
          throw new TraceFormatException(file, lineNumber, "seq must increase: " + sequences[count]
              + " after " + sequences[count - 1]);
        }
        if (sends != null) {
          sends[count] = parse(file, lineNumber, "send_ns", fields[sendColumn]);
          if (count > 0 && sends[count] - sends[count - 1] < 0) {
            throw new TraceFormatException(file, lineNumber, "send_ns must not decrease: "
                + sends[count] + " after " + sends[count - 1]);
          }
        }
        if (arrivals != null) {
          arrivals[count] = parse(file, lineNumber, "arrival_ns", fields[arrivalColumn]);
          if (count > 0 && arrivals[count] - arrivals[count - 1] < 0) {
            throw new TraceFormatException(file, lineNumber, "arrival_ns must not decrease: "
                + arrivals[count] + " after " + arrivals[count - 1]);
          }
        }
        count++;
      }
      if (count == 0) {
        throw new TraceFormatException(file, 0, "no heartbeats after the header");
      }
      return new HeartbeatTrace(Arrays.copyOf(sequences, count),
          sends == null ? null : Arrays.copyOf(sends, count),
          arrivals == null ? null : Arrays.copyOf(arrivals, count));
    }
  }

  private static long parse(Path file, int line, String column, String field)
      throws TraceFormatException {
    try {
      return Long.parseLong(field.trim());
    } catch (NumberFormatException e) {
      throw new TraceFormatException(file, line, column + " is not a whole number: '" + field + "'");
    }
  }

  private static InputStream decompressIfGzip(InputStream raw) throws IOException {
    PushbackInputStream in = new PushbackInputStream(raw, 2);
    byte[] magic = new byte[2];
    int read = in.readNBytes(magic, 0, 2);
    in.unread(magic, 0, read);
    boolean gzip = read == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
    return gzip ? new GZIPInputStream(in, 1 << 16) : in;
  }

  /**
   * Writes the trace in the format {@link #read} accepts; gzip-compressed when the file name ends
   * in {@code .gz}.
   */
  public void write(Path file) throws IOException {
    OutputStream out = Files.newOutputStream(file);
    if (file.getFileName().toString().endsWith(".gz")) {
      out = new GZIPOutputStream(out, 1 << 16);
    }
    try (BufferedWriter writer = new BufferedWriter(
        new OutputStreamWriter(out, StandardCharsets.US_ASCII))) {
      writer.write(sendNanos != null && arrivalNanos != null ? "seq,send_ns,arrival_ns"
          : sendNanos != null ? "seq,send_ns" : "seq,arrival_ns");
      writer.newLine();
      for (int i = 0; i < sequences.length; i++) {
        writer.write(Long.toString(sequences[i]));
        if (sendNanos != null) {
          writer.write(',');
          writer.write(Long.toString(sendNanos[i]));
        }
        if (arrivalNanos != null) {
          writer.write(',');
          writer.write(Long.toString(arrivalNanos[i]));
        }
        writer.newLine();
      }
    }
  }

  /** Number of heartbeats. */
  public int size() {
    return sequences.length;
  }

  /** Whether arrival times are known (the trace can be replayed). */
  public boolean hasArrivals() {
    return arrivalNanos != null;
  }

  /** Whether send times are known. */
  public boolean hasSends() {
    return sendNanos != null;
  }

  public long sequence(int index) {
    return sequences[index];
  }

  /** @throws IllegalStateException if the trace has no arrival times */
  public long arrivalNanos(int index) {
    if (arrivalNanos == null) {
      throw new IllegalStateException("this trace has send times only: add arrivals with a DelayModel");
    }
    return arrivalNanos[index];
  }

  /** @throws IllegalStateException if the trace has no send times */
  public long sendNanos(int index) {
    if (sendNanos == null) {
      throw new IllegalStateException("this trace has arrival times only");
    }
    return sendNanos[index];
  }

  /** Time from the first to the last heartbeat (arrivals if known, else sends), in nanoseconds. */
  public long durationNanos() {
    long[] times = arrivalNanos != null ? arrivalNanos : sendNanos;
    return times[times.length - 1] - times[0];
  }

  /** Median interval between consecutive heartbeats (arrivals if known), in nanoseconds. */
  public long medianIntervalNanos() {
    long[] times = arrivalNanos != null ? arrivalNanos : sendNanos;
    if (times.length < 2) {
      return 0;
    }
    long[] intervals = new long[times.length - 1];
    for (int i = 1; i < times.length; i++) {
      intervals[i - 1] = times[i] - times[i - 1];
    }
    Arrays.sort(intervals);
    return intervals[intervals.length / 2];
  }

  @Override
  public String toString() {
    return "HeartbeatTrace[" + size() + " heartbeats over " + durationNanos() / 1e9 + " s"
        + (hasArrivals() ? "" : ", send times only") + "]";
  }
}
