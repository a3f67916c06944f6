package dev.failuredetector.example;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One instance of the example service, started as a user starts it: its own application.yml,
 * with the environment's placeholders (NODE_ID, FD_PORT, PEER_A...) given as properties, a random
 * HTTP port, and a shared key file.
 */
final class ExampleNode implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"([A-Z_]+)\"");

  final ConfigurableApplicationContext context;

  private ExampleNode(ConfigurableApplicationContext context) {
    this.context = context;
  }

  /** Starts an instance; {@code properties} are key=value, on top of the placeholders'. */
  static ExampleNode start(List<String> properties) {
    List<String> args = new ArrayList<>(List.of("--HTTP_PORT=0"));
    properties.forEach(p -> args.add("--" + p));
    return new ExampleNode(new SpringApplicationBuilder(ExampleApplication.class)
        .run(args.toArray(String[]::new)));
  }

  /** A loopback UDP port free now (taken by the node a moment later). */
  static int freeUdpPort() {
    try (DatagramSocket socket =
        new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int httpPort() {
    // local.server.port: set by the web server on Boot 3 and 4 alike
    return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
  }

  /** GET {@code path} on this instance: the status code and body. */
  HttpResponse<String> get(String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort() + path))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The top-level status of the health at {@code path}, e.g. "UP"; "" if none. (Boot 3 writes
   * it first, Boot 4's Jackson 3 after "components": the one at depth 1 is the answer.)
   */
  String status(String path) {
    String body = get(path).body();
    Matcher m = STATUS.matcher(body);
    while (m.find()) {
      if (depth(body, m.start()) == 1) {
        return m.group(1);
      }
    }
    return "";
  }

  /** How many JSON objects and arrays are open at {@code index} (strings skipped). */
  private static int depth(String json, int index) {
    int depth = 0;
    boolean inString = false;
    for (int i = 0; i < index; i++) {
      char c = json.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        depth--;
      }
    }
    return depth;
  }

  /** A number in the details at {@code path}, e.g. timeoutMs. */
  long detail(String path, String name) {
    return number(get(path).body(), name);
  }

  /** The whole number {@code name} in a JSON {@code body}. */
  static long number(String body, String name) {
    Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*(\\d+)").matcher(body);
    if (!m.find()) {
      throw new AssertionError("no " + name + " in " + body);
    }
    return Long.parseLong(m.group(1));
  }

  @Override
  public void close() {
    context.close();
  }
}
