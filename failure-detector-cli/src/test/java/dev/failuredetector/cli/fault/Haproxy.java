package dev.failuredetector.cli.fault;

import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Debian's HAProxy for the tests: where it is, its version, and its stats socket. */
final class Haproxy {

  private Haproxy() {}

  /** What every test configuration starts with: the stats socket and HTTP-mode timeouts. */
  static String preamble(Path socket) {
    return String.join("\n",
        "global",
        "  stats socket " + socket + " mode 600 level admin",
        "defaults",
        "  mode http",
        "  timeout connect 1s",
        "  timeout client 10s",
        "  timeout server 10s");
  }

  /** Backend name -> UP or DOWN for its server {@code serverName}. */
  static Map<String, String> statuses(Path socket, String serverName) throws IOException {
    String csv = command(socket, "show stat");
    String[] lines = csv.split("\n");
    List<String> header = List.of(lines[0].replaceFirst("^# ", "").split(","));
    int backend = header.indexOf("pxname");
    int server = header.indexOf("svname");
    int status = header.indexOf("status");
    Map<String, String> result = new HashMap<>();
    for (int i = 1; i < lines.length; i++) {
      String[] fields = lines[i].split(",", -1);
      if (fields.length > status && fields[server].equals(serverName)) {
        String state = fields[status];
        result.put(fields[backend], state.startsWith("DOWN") ? "DOWN"
            : state.startsWith("UP") || state.equals("no check") ? "UP" : state);
      }
    }
    return result;
  }

  /** HAProxy's count of failed checks of server {@code serverName} ({@code chkfail}). */
  static long failedChecks(Path socket, String serverName) throws IOException {
    String[] lines = command(socket, "show stat").split("\n");
    List<String> header = List.of(lines[0].replaceFirst("^# ", "").split(","));
    int server = header.indexOf("svname");
    int failed = header.indexOf("chkfail");
    long total = 0;
    for (int i = 1; i < lines.length; i++) {
      String[] fields = lines[i].split(",", -1);
      if (fields.length > failed && fields[server].equals(serverName)
          && !fields[failed].isEmpty()) {
        total += Long.parseLong(fields[failed]);
      }
    }
    return total;
  }

  static String command(Path socket, String command) throws IOException {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
      ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
      StringBuilder out = new StringBuilder();
      while (channel.read(buffer) >= 0) {
        buffer.flip();
        out.append(StandardCharsets.US_ASCII.decode(buffer));
        buffer.clear();
      }
      return out.toString();
    }
  }

  static Optional<Path> binary() {
    List<String> directories = new ArrayList<>(List.of("/usr/sbin", "/usr/local/sbin"));
    directories.addAll(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
    return directories.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, "haproxy"))
        .filter(Files::isExecutable).findFirst();
  }

  static String version(Path binary) throws IOException, InterruptedException {
    Process version = new ProcessBuilder(binary.toString(), "-v").redirectErrorStream(true).start();
    String first = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
        .lines().findFirst().orElse("?");
    version.waitFor();
    return first.replaceFirst("^HAProxy version (\\S+).*", "$1");
  }
}
