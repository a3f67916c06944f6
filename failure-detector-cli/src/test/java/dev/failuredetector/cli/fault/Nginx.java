package dev.failuredetector.cli.fault;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Debian's nginx ({@code .ci/run} installs it) as one process in the foreground ({@code
 * master_process off}: SIGSTOP and SIGKILL reach the process that serves), listening on a free
 * loopback port, with {@code GET /healthz} answering 200, or 503 while {@link #unhealthy} is on.
 * Its files live in a directory of the test's.
 */
final class Nginx implements AutoCloseable {

  private final List<String> prefix;
  private final Path binary;
  private final Path dir;
  private final int port;
  private final Path downFlag;
  private volatile Process process;

  private Nginx(List<String> prefix, Path binary, Path dir, int port, Path downFlag) {
    this.prefix = prefix;
    this.binary = binary;
    this.dir = dir;
    this.port = port;
    this.downFlag = downFlag;
  }

  /** The nginx binary, if installed. */
  static Optional<Path> binary() {
    List<String> directories = new ArrayList<>(List.of("/usr/sbin", "/usr/local/sbin"));
    directories.addAll(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
    return directories.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, "nginx"))
        .filter(Files::isExecutable).findFirst();
  }

  /** Starts nginx in {@code dir} on a free loopback port and waits until it accepts. */
  static Nginx start(Path binary, Path dir) throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    return start(List.of(), binary, dir, "127.0.0.1", port);
  }

  /**
   * Starts nginx with a command prefix ({@code ip netns exec NS}) listening on {@code host:port}.
   * With a prefix, it is not waited for (this JVM may not reach it): the caller waits for what it
   * needs.
   */
  static Nginx start(List<String> prefix, Path binary, Path dir, String host, int port)
      throws IOException {
    Files.createDirectories(dir.resolve("logs"));
    Path downFlag = dir.resolve("down");
    String config = """
        daemon off;
        master_process off;
        worker_processes 1;
        pid %1$s/nginx.pid;
        error_log %1$s/logs/error.log warn;
        events { worker_connections 256; }
        http {
          access_log off;
          client_body_temp_path %1$s/client_body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
          keepalive_requests 100000;
          server {
            listen %4$s:%2$d;
            location = /healthz {
              if (-f %3$s) { return 503 "down\\n"; }
              return 200 "ok\\n";
            }
          }
        }
        """.formatted(dir, port, downFlag, host);
    Files.writeString(dir.resolve("nginx.conf"), config);
    Nginx nginx = new Nginx(prefix, binary, dir, port, downFlag);
    nginx.restart();
    return nginx;
  }

  /** Starts the process again (after {@link #kill}) on the same port; waits until it accepts. */
  void restart() throws IOException {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of(binary.toString(), "-p", dir.toString(), "-c",
        dir.resolve("nginx.conf").toString()));
    Process started = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("logs/stdout.log").toFile()))
        .start();
    process = started;
    if (!prefix.isEmpty()) {
      return;
    }
    await().atMost(NodeProcess.GENEROUS).until(() -> accepts() || !started.isAlive());
    if (!started.isAlive()) {
      throw new IllegalStateException("nginx exited " + started.exitValue() + ": "
          + Files.readString(dir.resolve("logs/stdout.log"))
          + Files.readString(dir.resolve("logs/error.log")));
    }
  }

  private boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  int port() {
    return port;
  }

  /** While on, /healthz answers 503. */
  void unhealthy(boolean on) throws IOException {
    if (on) {
      Files.writeString(downFlag, "down");
    } else {
      Files.deleteIfExists(downFlag);
    }
  }

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
  public void close() throws InterruptedException, IOException {
    if (process.isAlive()) {
      resume(); // a stopped process ignores SIGKILL's aftermath until continued
      process.destroyForcibly().waitFor();
    }
  }
}
