package dev.failuredetector.qos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeartbeatTraceTest {

  @TempDir
  Path dir;

  private Path file(String name, String content) throws IOException {
    Path path = dir.resolve(name);
    Files.writeString(path, content, StandardCharsets.US_ASCII);
    return path;
  }

  @Test
  void read_eachHeader() throws IOException {
    HeartbeatTrace arrivals = HeartbeatTrace.read(file("a.csv", "seq,arrival_ns\n1,100\n2,250\n"));
    assertThat(arrivals.size()).isEqualTo(2);
    assertThat(arrivals.hasArrivals()).isTrue();
    assertThat(arrivals.hasSends()).isFalse();
    assertThat(arrivals.arrivalNanos(1)).isEqualTo(250);
    assertThat(arrivals.durationNanos()).isEqualTo(150);

    HeartbeatTrace both = HeartbeatTrace.read(
        file("b.csv", "seq,send_ns,arrival_ns\n158,5,100\n159,10,110\n"));
    assertThat(both.sequence(0)).isEqualTo(158);
    assertThat(both.sendNanos(1)).isEqualTo(10);
    assertThat(both.arrivalNanos(1)).isEqualTo(110);

    HeartbeatTrace sends = HeartbeatTrace.read(file("c.csv", "seq,send_ns\n0,0\n1,100\n2,200\n"));
    assertThat(sends.hasArrivals()).isFalse();
    assertThat(sends.medianIntervalNanos()).isEqualTo(100);
    assertThatThrownBy(() -> sends.arrivalNanos(0)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void writeThenRead_roundTrips_plainAndGzip() throws IOException {
    HeartbeatTrace trace = SyntheticTrace.builder().seed(3).build();
    for (String name : new String[] {"t.csv", "t.csv.gz"}) {
      Path path = dir.resolve(name);
      trace.write(path);
      HeartbeatTrace back = HeartbeatTrace.read(path);
      assertThat(back.size()).isEqualTo(trace.size());
      for (int i = 0; i < trace.size(); i += 97) {
        assertThat(back.sequence(i)).isEqualTo(trace.sequence(i));
        assertThat(back.sendNanos(i)).isEqualTo(trace.sendNanos(i));
        assertThat(back.arrivalNanos(i)).isEqualTo(trace.arrivalNanos(i));
      }
    }
    assertThat(Files.readAllBytes(dir.resolve("t.csv.gz"))[0]).isEqualTo((byte) 0x1f);
  }

  @Test
  void read_badFiles_sayWhereAndWhy() throws IOException {
    assertThatThrownBy(() -> HeartbeatTrace.read(dir.resolve("missing.csv")))
        .isInstanceOf(NoSuchFileException.class);
    expectFormatError("empty.csv", "", 0, "empty file: expected a header line");
    expectFormatError("header.csv", "sequence,time\n1,2\n", 1,
        "unknown header 'sequence,time': expected seq,arrival_ns or seq,send_ns,arrival_ns or"
            + " seq,send_ns");
    expectFormatError("nan.csv", "seq,arrival_ns\n1,100\n2,abc\n", 3,
        "arrival_ns is not a whole number: 'abc'");
    expectFormatError("seq.csv", "seq,arrival_ns\n1,100\n2,200\n2,300\n", 4,
        "seq must increase: 2 after 2");
    expectFormatError("time.csv", "seq,arrival_ns\n1,100\n2,200\n3,150\n", 4,
        "arrival_ns must not decrease: 150 after 200");
    expectFormatError("fields.csv", "seq,send_ns,arrival_ns\n1,100\n", 2,
        "expected 3 comma-separated numbers, got 2: '1,100'");
    expectFormatError("norows.csv", "seq,arrival_ns\n", 0, "no heartbeats after the header");
  }

  private void expectFormatError(String name, String content, int line, String problem)
      throws IOException {
    Path path = file(name, content);
    assertThatThrownBy(() -> HeartbeatTrace.read(path))
        .isInstanceOf(TraceFormatException.class)
        .hasMessage(path + (line > 0 ? ":" + line : "") + ": " + problem)
        .satisfies(e -> assertThat(((TraceFormatException) e).line()).isEqualTo(line));
  }

  @Test
  void ofArrivals_checksItsInput() {
    assertThatThrownBy(() -> HeartbeatTrace.ofArrivals(new long[] {1, 1}, new long[] {0, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sequence numbers must increase: index 1 has 1 after 1");
    assertThatThrownBy(() -> HeartbeatTrace.ofArrivals(new long[] {1}, new long[] {0, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sequences and arrivalNanos differ in length: 1 and 2");
    assertThatThrownBy(() -> HeartbeatTrace.ofArrivals(new long[0], new long[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a trace needs at least one heartbeat");
  }
}
