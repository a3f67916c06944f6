package dev.failuredetector.netty.demo;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.PeerTransition;
import dev.failuredetector.netty.DnsPeerDiscovery;
import dev.failuredetector.netty.HeartbeatNode;
import dev.failuredetector.netty.KeyRing;
import dev.failuredetector.netty.KeySource;
import dev.failuredetector.netty.Transport;
import dev.failuredetector.netty.health.HealthServer;
import dev.failuredetector.netty.health.HealthView;
import dev.failuredetector.qos.QosAdvisor;
import dev.failuredetector.qos.QosTarget;
import dev.failuredetector.qos.ThresholdTuner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * One heartbeat node as a process: {@code java -cp ... dev.failuredetector.netty.demo.NodeMain
 * --id a --bind 127.0.0.1:7001 --peer b=127.0.0.1:7002 [options]}. Used by {@link ClusterDemo}
 * and by the multi-process fault tests; handy to try the library by hand.
 *
 * <p>Options (durations in milliseconds): {@code --transport udp|tcp} (udp), {@code --interval}
 * (1000, the one heartbeat interval: the node gives it to the detector), {@code --detector SPEC}
 * (any {@link DetectorSpec} text without {@code interval}, e.g. {@code chen:margin=200ms};
 * default {@code phi}), and shorthands that change one key of it: {@code --pause} (3000), {@code
 * --min-std} (100), {@code --threshold} (8), {@code
 * --confirm} suspicion-to-failure time (10000), {@code --incarnation} (random), {@code
 * --key-file PATH} ({@code keyId:hex} lines, the first signs; or the environment variable {@code
 * FD_KEY}, {@code keyId:hex;...}), {@code --insecure} (no keys: refused otherwise), {@code --peer id=host:port} (repeatable), {@code --record}
 * heartbeats kept per peer for tuning (0), {@code --http host:port} and {@code --agent host:port}
 * to serve the health endpoints and HAProxy's agent check (none), {@code --peers-dns name:port}
 * (the peers are the name's A records, each with id {@code ip:port}, resolved every 5 s; give
 * this node the id {@code <its ip>:<port>}) and {@code --dns-server host:port} (the system's
 * resolvers).
 *
 * <p>Prints, one per line on stdout: {@code READY <id> <port> <incarnation>} once listening; then
 * {@code TRANSITION <nanoTime> <peer> <from> <to> <reason> <falseSuspicion>} for every state
 * change (nanoTime is {@link System#nanoTime()}, which on Linux is CLOCK_MONOTONIC, comparable
 * between processes of one machine). Reads commands on stdin: {@code peer <id> <host:port>},
 * {@code remove <id>}, {@code status} (prints {@code STATUS localPauses=.. mistakes=..
 * accepted=.. sent=..}), {@code export <peer> <file>} (writes the recorded trace, prints {@code
 * EXPORTED <peer> <heartbeats> <file>}), {@code tune <peer> <max-mistakes-per-day>} (prints {@code
 * TUNE <met> <threshold> <explanation>} from {@link ThresholdTuner#recommend}), {@code threshold
 * <phi>} (applies it to every peer, prints {@code THRESHOLD <phi>}), {@code quit} (closes, sending
 * GOODBYE). End of stdin also quits. With {@code --http} or {@code --agent}, prints {@code HEALTH
 * http=<port> agent=<port>} after READY (-1 for none).
 */
public final class NodeMain {

  private NodeMain() {}

  /** The parsed command line: the node, and where to serve its health (null for nowhere). */
  record Options(HeartbeatNode.Builder node, InetSocketAddress http, InetSocketAddress agent,
      String peersDns, String dnsServer) {}

  public static void main(String[] args) throws Exception {
    // Netty finds slf4j-api on the classpath; without a provider SLF4J prints a warning: quiet it.
    System.setProperty("slf4j.internal.verbosity", "ERROR");
    HeartbeatNode node;
    Options options;
    try {
      options = parse(args);
      node = options.node().build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("NodeMain: " + e.getMessage());
      System.exit(2);
      return;
    }
    PrintStream out = System.out;
    node.registry().addListener(transition -> print(out, transition));
    HealthServer health;
    try {
      node.start();
      health = startHealth(options, node);
    } catch (RuntimeException e) { // cannot bind: say so in one line, as for bad arguments
      node.close();
      System.err.println("NodeMain: " + e.getMessage());
      System.exit(2);
      return;
    }
    DnsPeerDiscovery discovery;
    try {
      discovery = startDiscovery(options, node);
    } catch (IllegalArgumentException e) {
      node.close();
      System.err.println("NodeMain: " + e.getMessage());
      System.exit(2);
      return;
    }
    Runnable closeAll = () -> {
      if (discovery != null) {
        discovery.close();
      }
      if (health != null) {
        health.close();
      }
      node.close();
    };
    Runtime.getRuntime().addShutdownHook(new Thread(closeAll, "node-shutdown"));
    print(out, "READY " + node.localId() + " " + node.localAddress().getPort() + " "
        + node.incarnation());
    if (health != null) {
      print(out, "HEALTH http=" + port(health.httpAddress()) + " agent=" + port(health.agentAddress()));
    }
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] words = line.trim().split("\\s+");
      try {
        switch (words[0]) {
          case "peer" -> node.addPeer(words[1], address(words[2]));
          case "remove" -> node.removePeer(words[1]);
          case "status" -> print(out, "STATUS localPauses=" + node.registry().stats().localPauses()
              + " mistakes=" + node.registry().stats().mistakes() + " accepted="
              + node.stats().accepted() + " sent=" + node.stats().sent()
              + " detector=" + node.registry().spec());
          case "export" -> print(out, "EXPORTED " + words[1] + " "
              + node.exportTrace(words[1], Path.of(words[2])) + " " + words[2]);
          case "tune" -> {
            QosAdvisor.Recommendation advice = ThresholdTuner.recommend(node.registry(),
                node.recordedTrace(words[1]),
                QosTarget.maxMistakesPerDay(Double.parseDouble(words[2])));
            print(out, "TUNE " + advice.met() + " " + advice.point().setting() + " "
                + advice.explanation());
          }
          case "threshold" -> {
            node.registry().setThreshold(Double.parseDouble(words[1]));
            print(out, "THRESHOLD " + words[1]);
          }
          case "quit" -> {
            closeAll.run();
            print(out, "CLOSED");
            return;
          }
          default -> print(out, "ERROR unknown command: " + line);
        }
      } catch (RuntimeException | IOException e) {
        print(out, "ERROR " + e.getMessage());
      }
    }
    closeAll.run();
  }

  /** {@code --peers-dns name:port}: the peers are the name's A records, each {@code ip:port}. */
  private static DnsPeerDiscovery startDiscovery(Options options, HeartbeatNode node) {
    if (options.peersDns() == null) {
      return null;
    }
    int colon = options.peersDns().lastIndexOf(':');
    if (colon < 1) {
      throw new IllegalArgumentException("--peers-dns must be name:port, got "
          + options.peersDns());
    }
    int port;
    try {
      port = Integer.parseInt(options.peersDns().substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--peers-dns must be name:port, got "
          + options.peersDns());
    }
    return DnsPeerDiscovery.start(node, options.peersDns().substring(0, colon), port,
        options.dnsServer(), Duration.ofSeconds(5));
  }

  private static HealthServer startHealth(Options options, HeartbeatNode node) {
    if (options.http() == null && options.agent() == null) {
      return null;
    }
    HealthServer.Builder health = HealthServer.builder(HealthView.of(node.registry()));
    if (options.http() != null) {
      health.http(options.http());
    }
    if (options.agent() != null) {
      health.agent(options.agent());
    }
    return health.build().start();
  }

  private static int port(InetSocketAddress address) {
    return address == null ? -1 : address.getPort();
  }

  private static void print(PrintStream out, PeerTransition<String> t) {
    print(out, "TRANSITION " + t.atNanos() + " " + t.key() + " " + t.from() + " " + t.to() + " "
        + t.reason() + " " + t.falseSuspicion());
  }

  private static void print(PrintStream out, String line) {
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }

  static Options parse(String[] args) {
    HeartbeatNode.Builder node = HeartbeatNode.builder()
        .bind(new InetSocketAddress("127.0.0.1", 0));
    InetSocketAddress http = null;
    InetSocketAddress agent = null;
    String peersDns = null;
    String dnsServer = null;
    DetectorSpec spec = DetectorSpec.phi();
    java.util.Map<String, String> overrides = new java.util.LinkedHashMap<>();
    boolean keyed = false;
    boolean insecure = false;
    for (int i = 0; i < args.length; i += 2) {
      if (args[i].equals("--insecure")) {
        insecure = true;
        i--; // a flag: no value
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value after " + args[i]);
      }
      String value = args[i + 1];
      switch (args[i]) {
        case "--id" -> node.localId(value);
        case "--bind" -> node.bind(address(value));
        case "--transport" -> node.transport(Transport.valueOf(value.toUpperCase(Locale.ROOT)));
        case "--interval" -> node.interval(millis(value));
        case "--detector" -> {
          if (value.matches(".*[:,]\\s*interval\\s*=.*")) {
            throw new IllegalArgumentException("--detector " + value + ": set the heartbeat"
                + " interval with --interval (the node gives it to the detector), not in the spec");
          }
          spec = DetectorSpec.parse(value);
        }
        case "--pause" -> overrides.put("pause", value + "ms");
        case "--min-std" -> overrides.put("min-std", value + "ms");
        case "--threshold" -> overrides.put("threshold", value);
        case "--confirm" -> node.confirmationTime(millis(value));
        case "--incarnation" -> node.incarnation(Long.parseLong(value));
        case "--key" -> throw new IllegalArgumentException("--key is gone: a key on the command"
            + " line can be read by any local user from /proc/PID/cmdline; use --key-file PATH"
            + " (lines keyId:hex) or the environment variable FD_KEY (keyId:hex;keyId:hex)");
        case "--key-file" -> {
          node.keyRing(KeySource.fromFile(Path.of(value),
              warning -> System.err.println("NodeMain: warning: " + warning)));
          keyed = true;
        }
        case "--record" -> node.recordArrivals(Integer.parseInt(value));
        case "--http" -> http = address(value);
        case "--agent" -> agent = address(value);
        case "--peers-dns" -> peersDns = value;
        case "--dns-server" -> dnsServer = value;
        case "--peer" -> {
          int equals = value.indexOf('=');
          if (equals < 1) {
            throw new IllegalArgumentException("--peer must be id=host:port, got " + value);
          }
          node.peer(value.substring(0, equals), address(value.substring(equals + 1)));
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (!keyed) {
      KeyRing fromEnvironment = KeySource.fromEnvironment(System.getenv());
      if (fromEnvironment != null) {
        node.keyRing(fromEnvironment);
        keyed = true;
      }
    }
    if (keyed && insecure) {
      throw new IllegalArgumentException("--insecure with a key: choose one");
    }
    if (insecure) {
      node.insecure();
    } else if (!keyed) {
      throw new IllegalArgumentException("no key: give --key-file PATH (lines keyId:hex, the first"
          + " signs) or set FD_KEY (keyId:hex;...), or --insecure for a trusted network or a test"
          + " (then anyone who can reach this node can make a dead peer look alive or a live one"
          + " look gone)");
    }
    for (java.util.Map.Entry<String, String> override : overrides.entrySet()) {
      spec = spec.with(override.getKey(), override.getValue()); // says if the kind has no such key
    }
    return new Options(node.detector(spec), http, agent, peersDns, dnsServer);
  }

  private static Duration millis(String value) {
    return Duration.ofMillis(Long.parseLong(value));
  }

  static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon < 1) {
      throw new IllegalArgumentException("address must be host:port, got " + hostPort);
    }
    return new InetSocketAddress(hostPort.substring(0, colon),
        Integer.parseInt(hostPort.substring(colon + 1)));
  }
}
