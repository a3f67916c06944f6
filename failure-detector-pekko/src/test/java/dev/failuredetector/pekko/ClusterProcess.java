package dev.failuredetector.pekko;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link ClusterNodeMain} in its own JVM, observed through its stdout. */
final class ClusterProcess implements AutoCloseable {

  static final Duration GENEROUS = Duration.ofSeconds(90);

  /** One event line: what, the member's port, when (System.nanoTime of the node). */
  record Event(String what, int port, long atNanos) {}

  private final int port;
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final List<Event> events = new CopyOnWriteArrayList<>();

  ClusterProcess(int port, int seed, String detectorConfig) throws IOException {
    this.port = port;
    this.process = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
        "-cp", System.getProperty("java.class.path"), "-Xmx192m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", ClusterNodeMain.class.getName(), Integer.toString(port),
        Integer.toString(seed), detectorConfig).redirectErrorStream(true).start();
    Thread reader = new Thread(this::read, "cluster-node-" + port);
    reader.setDaemon(true);
    reader.start();
  }

  private void read() {
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        lines.add(line);
        String[] w = line.split(" ");
        if (w.length == 3 && List.of("UP", "UNREACHABLE", "REACHABLE", "REMOVED").contains(w[0])) {
          events.add(new Event(w[0], Integer.parseInt(w[1]), Long.parseLong(w[2])));
        }
      }
    } catch (IOException e) {
      // ended
    }
  }

  int port() {
    return port;
  }

  List<Event> events() {
    return events;
  }

  List<String> output() {
    return lines;
  }

  /** When this node first saw {@code what} of {@code member} after {@code afterNanos}, if it did. */
  OptionalLong first(String what, int member, long afterNanos) {
    return events.stream().filter(e -> e.what().equals(what) && e.port() == member
        && e.atNanos() - afterNanos >= 0).mapToLong(Event::atNanos).findFirst();
  }

  long awaitFirst(String what, int member, long afterNanos) {
    await().atMost(GENEROUS).until(() -> first(what, member, afterNanos).isPresent()
        || !process.isAlive());
    return first(what, member, afterNanos).orElseThrow(
        () -> new IllegalStateException(port + " exited: " + lines));
  }

  void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
    if (kill.waitFor() != 0) {
      throw new IOException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      try {
        signal("CONT");
      } catch (IOException e) {
        // already gone
      }
      process.destroyForcibly().waitFor();
    }
  }
}
