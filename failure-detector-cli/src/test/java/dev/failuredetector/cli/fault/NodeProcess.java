package dev.failuredetector.cli.fault;

import static org.awaitility.Awaitility.await;

import dev.failuredetector.PeerState;
import dev.failuredetector.TransitionReason;
import dev.failuredetector.cli.CliRun;
import dev.failuredetector.cli.FailureDetectorCli;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@code node} in its own JVM, started as a user starts it ({@code java -jar failure-detector.jar
 * node ...}, the jar the build just made), driven through stdin and observed through stdout, for
 * the fault tests. {@link #kill()} is SIGKILL; {@link #stop()} and {@link #resume()} are SIGSTOP and
 * SIGCONT. An optional command prefix runs it elsewhere (for example {@code ip netns exec ns}).
 */
final class NodeProcess implements AutoCloseable {

  static final Duration GENEROUS = Duration.ofSeconds(60);

  /** One TRANSITION line: nanoTime is the node's System.nanoTime (CLOCK_MONOTONIC on Linux). */
  record Transition(long atNanos, String peer, PeerState from, PeerState to,
      TransitionReason reason, boolean falseSuspicion) {}

  private final String id;
  private final Process process;
  private final Writer stdin;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final List<Transition> transitions = new CopyOnWriteArrayList<>();
  private volatile int port = -1;

  private NodeProcess(String id, Process process) {
    this.id = id;
    this.process = process;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(this::readOutput, "output-" + id);
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts a node with these {@code node} arguments (after --id) and waits until it listens. */
  static NodeProcess start(List<String> prefix, String id, String... args) throws IOException {
    return start(prefix, Map.of(), id, args);
  }

  /**
   * Like {@link #start(List, String, String...)} with this class path instead of the jar (the
   * tool's main class on it), for a test that leaves a library out.
   */
  static NodeProcess startWithClasspath(List<String> prefix, String classpath, String id,
      String... args) throws IOException {
    return start(prefix, List.of("-cp", classpath, FailureDetectorCli.class.getName()),
        Map.of(), id, args);
  }

  /**
   * Starts a node with these environment variables added (for example {@code FD_KEY}). Without a
   * key ({@code --key-file} or {@code FD_KEY}) it runs {@code --insecure}.
   */
  static NodeProcess start(List<String> prefix, Map<String, String> env, String id,
      String... args) throws IOException {
    return start(prefix, List.of("-jar", CliRun.jar()), env, id, args);
  }

  private static NodeProcess start(List<String> prefix, List<String> launch,
      Map<String, String> env, String id, String... args) throws IOException {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of(CliRun.java(),
        "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
    command.addAll(launch);
    command.addAll(List.of("node", "--id", id));
    command.addAll(List.of(args));
    if (!command.contains("--key-file") && !env.containsKey("FD_KEY")) {
      command.add("--insecure");
    }
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove("FD_KEY");
    builder.environment().putAll(env);
    NodeProcess node = new NodeProcess(id, builder.start());
    await().atMost(GENEROUS).until(() -> node.port >= 0 || !node.process.isAlive());
    if (node.port < 0) {
      throw new IllegalStateException(id + " exited before listening: " + node.lines);
    }
    return node;
  }

  private void readOutput() {
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        lines.add(line);
        String[] w = line.split(" ");
        if (w[0].equals("READY")) {
          port = Integer.parseInt(w[2]);
        } else if (w[0].equals("TRANSITION")) {
          transitions.add(new Transition(Long.parseLong(w[1]), w[2], PeerState.valueOf(w[3]),
              PeerState.valueOf(w[4]), TransitionReason.valueOf(w[5]),
              Boolean.parseBoolean(w[6])));
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  String id() {
    return id;
  }

  int port() {
    return port;
  }

  /** The port of its {@code --http} health server, from its HEALTH line. */
  int httpPort() {
    await().atMost(GENEROUS).until(() -> lines.stream().anyMatch(l -> l.startsWith("HEALTH ")));
    String line = lines.stream().filter(l -> l.startsWith("HEALTH ")).findFirst().orElseThrow();
    return Integer.parseInt(line.replaceFirst(".*http=(\\d+).*", "$1"));
  }

  /** The port of its {@code --agent} listener, from its HEALTH line. */
  int agentPort() {
    await().atMost(GENEROUS).until(() -> lines.stream().anyMatch(l -> l.startsWith("HEALTH ")));
    String line = lines.stream().filter(l -> l.startsWith("HEALTH ")).findFirst().orElseThrow();
    return Integer.parseInt(line.replaceFirst(".*agent=(-?\\d+).*", "$1"));
  }

  long pid() {
    return process.pid();
  }

  List<Transition> transitions() {
    return transitions;
  }

  List<String> output() {
    return lines;
  }

  /** The first transition of {@code peer} to {@code state}, waiting for it. */
  Transition awaitTransition(String peer, PeerState state) {
    await().atMost(GENEROUS).until(() -> find(peer, state).isPresent());
    return find(peer, state).orElseThrow();
  }

  Optional<Transition> find(String peer, PeerState state) {
    return transitions.stream().filter(t -> t.peer().equals(peer) && t.to() == state).findFirst();
  }

  void command(String line) throws IOException {
    stdin.write(line + "\n");
    stdin.flush();
  }

  /** Sends {@code command} and returns the first new output line starting with {@code reply}. */
  String ask(String command, String reply) throws IOException {
    int before = (int) lines.stream().filter(l -> l.startsWith(reply)).count();
    command(command);
    await().atMost(GENEROUS).until(
        () -> lines.stream().filter(l -> l.startsWith(reply)).count() > before);
    return lines.stream().filter(l -> l.startsWith(reply)).skip(before).findFirst().orElseThrow();
  }

  /** Asks for a STATUS line and returns it. */
  String status() throws IOException {
    return ask("status", "STATUS ");
  }

  /** A numeric field of a fresh STATUS line, for example {@code "accepted"}. */
  long statusField(String name) throws IOException {
    String status = status();
    for (String field : status.split(" ")) {
      if (field.startsWith(name + "=")) {
        return Long.parseLong(field.substring(name.length() + 1));
      }
    }
    throw new IllegalStateException("no " + name + "= in " + status);
  }

  /** A count of a fresh STATUS line that is printed only when not zero ({@code dropped.X}). */
  long statusCount(String name) throws IOException {
    for (String field : status().split(" ")) {
      if (field.startsWith(name + "=")) {
        return Long.parseLong(field.substring(name.length() + 1));
      }
    }
    return 0;
  }

  /** SIGKILL. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  void stop() throws IOException, InterruptedException {
    signal("STOP");
  }

  void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    Signals.send(process.pid(), name);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        process.destroyForcibly().waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
