package dev.failuredetector.cli;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.HeartbeatOutcome;
import dev.failuredetector.PeerTransition;
import dev.failuredetector.netty.DnsPeerDiscovery;
import dev.failuredetector.netty.DropReason;
import dev.failuredetector.netty.HeartbeatNode;
import dev.failuredetector.netty.HostPort;
import dev.failuredetector.netty.IoMode;
import dev.failuredetector.netty.KeyRing;
import dev.failuredetector.netty.KeySource;
import dev.failuredetector.netty.PeersFile;
import dev.failuredetector.netty.ProbeStats;
import dev.failuredetector.netty.ProbeTarget;
import dev.failuredetector.netty.Transport;
import dev.failuredetector.netty.TransportStats;
import dev.failuredetector.netty.health.HealthServer;
import dev.failuredetector.netty.health.HealthView;
import dev.failuredetector.qos.ArrivalRecording;
import dev.failuredetector.qos.AutoTuner;
import dev.failuredetector.qos.HeartbeatTrace;
import dev.failuredetector.qos.QosAdvisor;
import dev.failuredetector.qos.QosTarget;
import dev.failuredetector.qos.ShadowCandidates;
import dev.failuredetector.qos.ThresholdTuner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code node}: one heartbeat node as a process, driven by a line protocol on stdin and stdout
 * (what {@code demo}, the fault tests and an operator's script use).
 *
 * <p>Prints, one per line on stdout: {@code READY <id> <port> <incarnation>} once listening; with
 * {@code --http} or {@code --agent}, {@code HEALTH http=<port> agent=<port>} (-1 for none); then
 * {@code TRANSITION <nanoTime> <peer> <from> <to> <reason> <falseSuspicion> <wall-clock>} for
 * every state change (nanoTime is {@link System#nanoTime()}, CLOCK_MONOTONIC on Linux, comparable
 * between the processes of one machine; wall-clock an ISO-8601 UTC instant, for logs). Reads commands on stdin, see {@link #COMMANDS}. End of stdin, like
 * {@code quit}, closes the node (sending GOODBYE); so does SIGTERM.
 */
@Command(name = "node", mixinStandardHelpOptions = true,
    versionProvider = FailureDetectorCli.Version.class,
    description = {"Runs one heartbeat node: sends heartbeats to its peers, detects their failure,"
        + " prints state changes on stdout and takes commands on stdin.",
        "Needs a key (--key-file or FD_KEY) unless --insecure."},
    footer = {"", "stdout: READY <id> <port> <incarnation>; HEALTH http=<port> agent=<port>;"
        + " TRANSITION <nanoTime> <peer> <from> <to> <reason> <falseSuspicion> <wall-clock>;"
        + " with --observers, CLUSTER <nanoTime> <member> <from> <to> <incarnation> <accusers>"
        + " <wall-clock> for each change of the confirmed view (ALIVE, SUSPECTED, FAILED).",
        "stdin commands:", NodeCommand.COMMANDS,
        "Environment: FD_KEY=keyId:hex;keyId:hex (the first signs), when no --key-file.",
        "Durations: 250ms, 1.5s, 2m (units ns us ms s m h); a number alone is milliseconds."})
final class NodeCommand implements Callable<Integer> {

  static final String COMMANDS = """
        peer <id> <host:port>    add (or move) a peer
        probe <id> <url>         probe a target (udp://, tcp://, http:// as --probe)
        remove <id>              stop monitoring a peer or a probed target
        status                   STATUS localPauses=.. mistakes=.. accepted=.. sent=..
                                 pingsAnswered=.. detector=.. and dropped.REASON=.. for each
                                 drop reason seen; with --observers also observers=..
                                 observed=.. localHealth=.. gossipSent=.. accusations=..
                                 refutations=.. confirmedFailures=.. syncs=..
        probes                   PROBE <id> <url> sent=.. answered=.. late=.. refused=..
                                 unhealthy=.. abandoned=.. status=.. per target, then PROBES <n>
        detector <spec>          retune the detector (what tune recommends; same kind, the
                                 node's interval kept): DETECTOR <spec>
        export <peer> <file>     write the recorded trace: EXPORTED <peer> <heartbeats> <file>
        tune <peer> <max/day>    TUNE <met> <threshold> <explanation> (needs --record)
        threshold <phi>          apply a phi threshold to every peer: THRESHOLD <phi>
        quit                     close (GOODBYE to the peers): CLOSED""";

  @Option(names = "--id", required = true, paramLabel = "ID",
      description = "This node's id, as its peers know it.")
  String id;

  @Option(names = "--bind", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:0",
      description = "Where to listen (default: ${DEFAULT-VALUE}, any free port).")
  String bind;

  @Option(names = "--transport", paramLabel = "udp|tcp", defaultValue = "udp",
      converter = TransportConverter.class, description = "default: ${DEFAULT-VALUE}")
  Transport transport;

  @Option(names = "--io", paramLabel = "auto|nio|epoll", defaultValue = "auto",
      converter = IoModeConverter.class, description = "Netty I/O transport: epoll (Linux,"
          + " reads up to 16 datagrams per system call), nio, or auto: epoll where it loads"
          + " (default: ${DEFAULT-VALUE}).")
  IoMode io;

  @Option(names = "--peer", paramLabel = "ID=HOST:PORT",
      description = "A peer to monitor (repeatable).")
  List<String> peers = new ArrayList<>();

  @Option(names = "--interval", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "The heartbeat interval, sent and expected, and the probe interval"
          + " (default: 1s).")
  Duration interval;

  @Option(names = "--probe", paramLabel = "ID=URL", description = {"A target that runs nothing"
      + " of ours, probed every interval (repeatable): udp://HOST:PORT (a node's PING/ACK),"
      + " tcp://HOST:PORT (a connect; refused: FAILED at once), http://HOST[:PORT]/PATH (a GET;"
      + " 200-399 healthy, others FAILED UNHEALTHY at once; #status=200-299 to choose)."})
  List<String> probes = new ArrayList<>();

  @Option(names = "--probe-interval", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "The probe interval, for a node that only probes (no --peer): the same as"
          + " --interval, which it sets (a node has one detector interval).")
  Duration probeInterval;

  @Option(names = "--probe-outstanding", paramLabel = "N", defaultValue = "4",
      description = "Most probes of one target waiting for an answer (default: ${DEFAULT-VALUE});"
          + " a slot that comes while that many wait is skipped.")
  int probeOutstanding;

  @Option(names = "--probe-cap", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "How long a probe may wait for its answer (default: 5 intervals, at least 1s,"
          + " at most 1m); a later answer counts for nothing.")
  Duration probeCap;

  @Option(names = "--detector", paramLabel = "SPEC", description = {"The detector, in DetectorSpec"
      + " text without interval, e.g. chen:margin=200ms or phi:threshold=10 (default: phi).",
      "The shorthands below change one key of it."})
  String detector;

  @Option(names = "--shadow", paramLabel = "SPEC", description = {"A detector to evaluate"
      + " alongside the active one on the live arrivals (repeatable, at most 8): its would-be"
      + " mistakes and mean detection time, in /peers and the metrics. Spec text without"
      + " interval."})
  List<String> shadows = new ArrayList<>();

  @Option(names = "--auto-tune", paramLabel = "MAX_PER_DAY", description = {"Auto-tuning: every"
      + " period, make the fastest --shadow candidate shown to keep at most MAX_PER_DAY"
      + " mistakes a day the active detector, with hysteresis; each change logged. The"
      + " candidates may differ from --detector in its tuning setting only."})
  Double autoTune;

  @Option(names = "--auto-tune-period", paramLabel = "DURATION", defaultValue = "10m",
      converter = DurationConverter.class,
      description = "How often auto-tuning looks (default: ${DEFAULT-VALUE}; at least 1s).")
  Duration autoTunePeriod;

  @Option(names = "--auto-tune-headroom", paramLabel = "X", defaultValue = "2",
      description = "Keep the budget's 95%% upper bound X times below it (default:"
          + " ${DEFAULT-VALUE}).")
  double autoTuneHeadroom;

  @Option(names = "--threshold", paramLabel = "PHI", description = "phi: suspicion threshold (8).")
  String threshold;

  @Option(names = "--pause", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "phi, deadline: acceptable heartbeat pause (phi: 3s).")
  Duration pause;

  @Option(names = "--min-std", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "phi: minimum standard deviation (100ms).")
  Duration minStd;

  @Option(names = "--confirm", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "How long SUSPECTED lasts before FAILED (default: 10s).")
  Duration confirm;

  @Option(names = "--incarnation", paramLabel = "N",
      description = "This life's incarnation: any number but 0, different from every earlier"
          + " life's (they are compared for equality only; default: random).")
  Long incarnation;

  @Option(names = "--key-file", paramLabel = "PATH",
      description = "HMAC keys, one keyId:hex line each (the first signs); chmod 600.")
  Path keyFile;

  @Option(names = "--insecure", description = "No keys: anyone who can reach this node can make a"
      + " dead peer look alive. For a trusted network or a test only.")
  boolean insecure;

  @Option(names = "--key", hidden = true) // refused with a reason: see call()
  String keyOnCommandLine;

  @Option(names = "--refused-is-failure", paramLabel = "true|false", arity = "1",
      defaultValue = "true",
      description = "TCP: whether a refused connection marks a peer that was heard from FAILED at"
          + " once (CONNECTION_REFUSED); false where something else may hold a peer's port while"
          + " it lives elsewhere (default: ${DEFAULT-VALUE}).")
  boolean refusedIsFailure;

  @Option(names = "--record", paramLabel = "N", defaultValue = "0",
      description = "Heartbeats kept per peer for tune and export (default: ${DEFAULT-VALUE}).")
  int record;

  @Option(names = "--http", paramLabel = "HOST:PORT", description = "Serve /health, /health/{peer},"
      + " /peers, /ready, /live, /metrics and the status page / here (default: none).")
  String http;

  @Option(names = "--agent", paramLabel = "HOST:PORT",
      description = "Serve HAProxy's agent check here (default: none).")
  String agent;

  @Option(names = "--peers-dns", paramLabel = "NAME:PORT", description = "The peers are NAME's A"
      + " records, each with id ip:port, looked up every 5 s; give this node the id <its ip>:<port>.")
  String peersDns;

  @Option(names = "--observers", paramLabel = "K", defaultValue = "0", description = {"The"
      + " cluster overlay: each member is observed by K others (1-64; all-to-all when K >= members"
      + " - 1), heartbeats go to this node's observers only, and a member is FAILED only when most"
      + " of its observers agree (6 of 8), so one bad link or one paused observer fails nobody."
      + " Every member must run it with the same K and the same peers (default 0: no overlay,"
      + " every node heartbeats every other and decides alone)."})
  int observers;

  @Option(names = "--peers-file", paramLabel = "FILE", description = {"The peers, one ID=HOST:PORT"
      + " a line (# comments; this node's own line is skipped, so all members can share the"
      + " file), re-read when it changes (every second); a version that does not parse changes"
      + " nothing and is reported on stderr."})
  Path peersFile;

  @Option(names = "--dns-server", paramLabel = "HOST:PORT",
      description = "The DNS server for --peers-dns (default: the system's resolvers).")
  String dnsServer;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException, InterruptedException {
    HeartbeatNode node = build().build(); // bad settings: IllegalArgumentException, exit status 2
    PrintStream out = System.out;
    // READY is the first line (the documented contract): transitions that come before it (a
    // peer heard during start) wait for it.
    TransitionLines transitions = new TransitionLines(out);
    node.registry().addListener(transitions::print);
    if (node.observers() > 0) {
      node.addClusterListener(transitions::print);
    }
    HealthServer health = null;
    DnsPeerDiscovery discovery = null;
    PeersFile file = null;
    try {
      node.start();
      health = startHealth(node);
      discovery = startDiscovery(node);
      file = peersFile == null ? null : PeersFile.watch(node, peersFile, Duration.ofSeconds(1));
    } catch (RuntimeException e) {
      close(discovery, health, node);
      throw e;
    }
    HealthServer healthServer = health;
    DnsPeerDiscovery dns = discovery;
    PeersFile watchedFile = file;
    Runnable closeAll = () -> {
      if (watchedFile != null) {
        watchedFile.close();
      }
      close(dns, healthServer, node);
    };
    Runtime.getRuntime().addShutdownHook(new Thread(closeAll, "node-shutdown"));
    print(out, "READY " + node.localId() + " " + node.localAddress().getPort() + " "
        + node.incarnation());
    if (health != null) {
      print(out, "HEALTH http=" + port(health.httpAddress()) + " agent="
          + port(health.agentAddress()));
    }
    transitions.ready();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (command(node, line.trim().split("\\s+"), line, out)) {
        closeAll.run();
        print(out, "CLOSED");
        return FailureDetectorCli.OK;
      }
    }
    closeAll.run();
    return FailureDetectorCli.OK;
  }

  /** Runs one stdin command; returns true for {@code quit}. Errors answer ERROR, never exit. */
  private boolean command(HeartbeatNode node, String[] words, String line, PrintStream out) {
    try {
      if (record == 0 && (words[0].equals("export") || words[0].equals("tune"))) {
        print(out, "ERROR " + words[0] + " needs the node started with --record N (arrival"
            + " recording is off)");
        return false;
      }
      switch (words[0]) {
        case "peer" -> node.addPeer(words[1], address("peer", words[2]));
        case "probe" -> node.addProbe(words[1], ProbeTarget.parse(words[2]));
        case "probes" -> {
          List<ProbeStats> all = node.probeStats();
          for (ProbeStats p : all) {
            print(out, "PROBE " + p.id() + " " + p.target() + " sent=" + p.sent() + " answered="
                + p.answered() + " late=" + p.late() + " refused=" + p.refused() + " unhealthy="
                + p.unhealthy() + " abandoned=" + p.abandoned() + " status=" + p.lastStatus());
          }
          print(out, "PROBES " + all.size());
        }
        case "remove" -> node.removePeer(words[1]);
        case "status" -> print(out, "STATUS localPauses=" + node.registry().stats().localPauses()
            + " mistakes=" + node.registry().stats().mistakes() + " accepted="
            + node.stats().accepted() + " sent=" + node.stats().sent() + " pingsAnswered="
            + node.stats().count(TransportStats.Counter.PINGS_ANSWERED)
            + " detector=" + node.registry().spec() + drops(node) + cluster(node));
        case "export" -> {
          try {
            HeartbeatTrace trace = ArrivalRecording.of(node.registry()).trace(words[1]);
            trace.write(Path.of(words[2]));
            print(out, "EXPORTED " + words[1] + " " + trace.size() + " " + words[2]);
          } catch (IOException e) {
            // NoSuchFileException's message is the path alone: say what failed and why.
            print(out, "ERROR cannot write " + words[2] + ": " + e.getClass().getSimpleName()
                + (e.getMessage() == null || e.getMessage().equals(words[2]) ? ""
                    : " (" + e.getMessage() + ")"));
          }
        }
        case "detector" -> {
          String text = line.trim().substring("detector".length()).trim();
          node.registry().reconfigure(
              DetectorSpec.parse(text, node.interval(), "the node's --interval"));
          print(out, "DETECTOR " + node.registry().spec());
        }
        case "tune" -> {
          QosAdvisor.Recommendation advice = ThresholdTuner.recommend(node.registry(),
              ArrivalRecording.of(node.registry()).trace(words[1]),
              QosTarget.maxMistakesPerDay(Double.parseDouble(words[2])));
          print(out, "TUNE " + advice.met() + " " + advice.point().setting() + " "
              + advice.explanation());
        }
        case "threshold" -> {
          node.registry().setThreshold(Double.parseDouble(words[1]));
          print(out, "THRESHOLD " + words[1]);
        }
        case "quit" -> {
          return true;
        }
        default -> print(out, "ERROR unknown command: " + line);
      }
    } catch (ArrayIndexOutOfBoundsException e) {
      print(out, "ERROR missing an argument: " + line);
    } catch (RuntimeException e) {
      print(out, "ERROR " + e.getMessage());
    }
    return false;
  }

  /**
   * The STATUS line's drop counts: {@code dropped.REASON=n} for each transport drop reason seen
   * and {@code held.unconfirmed.incarnation=n} (so a wrong key, BAD_TAG, is told from a dead
   * peer).
   */
  private static String drops(HeartbeatNode node) {
    StringBuilder out = new StringBuilder();
    for (DropReason reason : DropReason.values()) {
      long count = node.stats().drops(reason);
      if (count > 0) {
        out.append(" dropped.").append(reason).append('=').append(count);
      }
    }
    long held = node.registry().stats().heartbeats(HeartbeatOutcome.UNCONFIRMED_INCARNATION);
    if (held > 0) {
      out.append(" held.unconfirmed.incarnation=").append(held);
    }
    return out.toString();
  }

  /** The STATUS line's overlay part: observers, members observed, local health, protocol counts. */
  private static String cluster(HeartbeatNode node) {
    if (node.observers() == 0) {
      return "";
    }
    StringBuilder out = new StringBuilder(" observers=").append(node.observers())
        .append(" observed=").append(node.observed().size())
        .append(" localHealth=").append(node.localHealth())
        .append(" gossipSent=").append(node.stats().count(TransportStats.Counter.GOSSIP_SENT));
    node.clusterStats().ifPresent(s -> out.append(" accusations=").append(s.accusationsMade())
        .append(" refutations=").append(s.refutations())
        .append(" confirmedFailures=").append(s.confirmedFailures())
        .append(" syncs=").append(s.syncs()));
    return out.toString();
  }

  /** The node these options describe; throws IllegalArgumentException naming a bad setting. */
  HeartbeatNode.Builder build() {
    if (keyOnCommandLine != null) {
      throw new IllegalArgumentException("--key is gone: a key on the command line can be read by"
          + " any local user from /proc/PID/cmdline; use --key-file PATH (lines keyId:hex) or the"
          + " environment variable FD_KEY (keyId:hex;keyId:hex)");
    }
    HeartbeatNode.Builder node = HeartbeatNode.builder().localId(id).bind(address("--bind", bind))
        .transport(transport).io(io).refusedConnectionIsFailure(refusedIsFailure);
    if (observers < 0 || observers > 64) {
      throw new IllegalArgumentException("--observers must be between 1 and 64 (0: no overlay),"
          + " got " + observers);
    }
    node.observers(observers);
    if (peersFile != null && peersDns != null) {
      throw new IllegalArgumentException("--peers-file and --peers-dns: choose one source of"
          + " peers");
    }
    if (record < 0 || record > ArrivalRecording.MAX_HEARTBEATS) {
      throw new IllegalArgumentException("--record must be between 0 and 10000000 heartbeats,"
          + " got " + record);
    }
    if (probeInterval != null) {
      if (!peers.isEmpty() || peersDns != null || peersFile != null) {
        if (interval == null || !interval.equals(probeInterval)) {
          throw new IllegalArgumentException("--probe-interval " + DurationConverter.format(
              probeInterval) + " with peers: a node has one detector interval, set by --interval ("
              + DurationConverter.format(interval != null ? interval
                  : DetectorSpec.DEFAULT_INTERVAL) + "); give the probes their own node, or one"
              + " interval");
        }
      } else if (interval != null && !interval.equals(probeInterval)) {
        throw new IllegalArgumentException("--probe-interval " + DurationConverter.format(
            probeInterval) + " differs from --interval " + DurationConverter.format(interval)
            + ": give one (a node has one detector interval)");
      }
    }
    Duration nodeInterval = interval != null ? interval
        : probeInterval != null ? probeInterval : DetectorSpec.DEFAULT_INTERVAL;
    node.interval(nodeInterval);
    DetectorSpec spec = detectorSpec(nodeInterval);
    List<DetectorSpec> candidates = new ArrayList<>();
    for (String shadow : shadows) {
      candidates.add(DetectorSpec.parse(shadow, nodeInterval, "--interval"));
    }
    node.registry(registry -> {
      registry.detector(spec);
      if (confirm != null) {
        registry.confirmationTime(confirm);
      }
      if (record > 0) {
        registry.plugin(new ArrivalRecording(record));
      }
      if (!candidates.isEmpty() || autoTune != null) {
        ShadowCandidates shadowCandidates = autoTune != null
            ? ShadowCandidates.withActive(candidates) : ShadowCandidates.of(candidates);
        registry.plugin(shadowCandidates);
        if (autoTune != null) {
          registry.plugin(AutoTuner.of(shadowCandidates, QosTarget.maxMistakesPerDay(autoTune),
              autoTuneHeadroom, autoTunePeriod));
        }
      }
    });
    if (incarnation != null) {
      node.incarnation(incarnation);
    }
    for (String peer : peers) {
      int equals = peer.indexOf('=');
      if (equals < 1) {
        throw new IllegalArgumentException("--peer must be id=host:port, got " + peer);
      }
      node.peer(peer.substring(0, equals), address("--peer", peer.substring(equals + 1)));
    }
    for (String probe : probes) {
      int equals = probe.indexOf('=');
      if (equals < 1) {
        throw new IllegalArgumentException("--probe must be id=url, got " + probe);
      }
      node.probe(probe.substring(0, equals), ProbeTarget.parse(probe.substring(equals + 1)));
    }
    node.probeLimits(probeOutstanding, probeCap != null ? probeCap
        : HeartbeatNode.defaultProbeCap(nodeInterval));
    keys(node);
    return node;
  }

  private void keys(HeartbeatNode.Builder node) {
    KeyRing keys = null;
    if (keyFile != null) {
      keys = KeySource.fromFile(keyFile, warning -> System.err.println(
          spec.qualifiedName() + ": warning: " + warning));
    } else {
      keys = KeySource.fromEnvironment(System.getenv());
    }
    if (keys != null && insecure) {
      throw new IllegalArgumentException("--insecure with a key: choose one");
    }
    if (insecure) {
      node.insecure();
    } else if (keys == null) {
      throw new IllegalArgumentException("no key: give --key-file PATH (lines keyId:hex, the first"
          + " signs) or set FD_KEY (keyId:hex;...), or --insecure for a trusted network or a test"
          + " (then anyone who can reach this node can make a dead peer look alive or a live one"
          + " look gone)");
    } else {
      node.keyRing(keys);
    }
  }

  private DetectorSpec detectorSpec(Duration nodeInterval) {
    DetectorSpec detectorSpec = DetectorSpec.phi().withInterval(nodeInterval);
    if (detector != null) {
      detectorSpec = DetectorSpec.parse(detector, nodeInterval, "--interval");
    }
    Map<String, String> overrides = new LinkedHashMap<>();
    if (threshold != null) {
      overrides.put("threshold", threshold);
    }
    if (pause != null) {
      overrides.put("pause", pause.toNanos() + "ns");
    }
    if (minStd != null) {
      overrides.put("min-std", minStd.toNanos() + "ns");
    }
    for (Map.Entry<String, String> override : overrides.entrySet()) {
      // says if the kind has no such key: "chen has no setting pause"
      detectorSpec = detectorSpec.with(override.getKey(), override.getValue());
    }
    return detectorSpec;
  }

  /** {@code --peers-dns name:port}: the peers are the name's A records, each {@code ip:port}. */
  private DnsPeerDiscovery startDiscovery(HeartbeatNode node) {
    if (peersDns == null) {
      return null;
    }
    InetSocketAddress name = HostPort.parseUnresolved("--peers-dns", peersDns);
    return DnsPeerDiscovery.start(node, name.getHostString(), name.getPort(), dnsServer,
        Duration.ofSeconds(5));
  }

  private HealthServer startHealth(HeartbeatNode node) {
    if (http == null && agent == null) {
      return null;
    }
    // /metrics: the node's meters tagged node=<id> (transport, registry, per peer), what the
    // dashboard and alert rules in docs/ read.
    HealthServer.Builder health =
        HealthServer.builder(HealthView.of(node)).metricsOf(node);
    if (http != null) {
      health.http(address("--http", http));
    }
    if (agent != null) {
      health.agent(address("--agent", agent));
    }
    return health.build().start();
  }

  private static void close(DnsPeerDiscovery discovery, HealthServer health, HeartbeatNode node) {
    if (discovery != null) {
      discovery.close();
    }
    if (health != null) {
      health.close();
    }
    node.close();
  }

  private static int port(InetSocketAddress address) {
    return address == null ? -1 : address.getPort();
  }

  /**
   * Prints TRANSITION lines, holding those that come before READY until it is printed. A line:
   * {@code TRANSITION <nanoTime> <peer> <from> <to> <reason> <falseSuspicion> <wall-clock>},
   * the last an ISO-8601 UTC instant for logs (nanoTime is for ordering and intervals).
   */
  private static final class TransitionLines {
    private final PrintStream out;
    private final List<String> held = new ArrayList<>();
    private boolean ready;

    TransitionLines(PrintStream out) {
      this.out = out;
    }

    /** A change of the overlay's confirmed view: {@code CLUSTER id FROM TO incarnation accusers}. */
    synchronized void print(dev.failuredetector.cluster.MemberTransition t) {
      line("CLUSTER " + t.atNanos() + " " + t.member() + " " + t.from() + " " + t.to() + " "
          + t.incarnation() + " " + t.accusers() + " " + java.time.Instant.now());
    }

    private void line(String line) {
      if (ready) {
        NodeCommand.print(out, line);
      } else {
        held.add(line);
      }
    }

    synchronized void print(PeerTransition<String> t) {
      String line = "TRANSITION " + t.atNanos() + " " + t.key() + " " + t.from() + " " + t.to()
          + " " + t.reason() + " " + t.falseSuspicion() + " " + java.time.Instant.now();
      if (ready) {
        NodeCommand.print(out, line);
      } else {
        held.add(line);
      }
    }

    synchronized void ready() {
      ready = true;
      held.forEach(line -> NodeCommand.print(out, line));
      held.clear();
    }
  }

  private static void print(PrintStream out, String line) {
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }

  /** {@code host:port}, the port 0-65535; the error names the option and the value. */
  static InetSocketAddress address(String option, String hostPort) {
    return HostPort.parse(option, hostPort);
  }

  /** {@code udp} or {@code tcp}, any case. */
  static final class TransportConverter implements CommandLine.ITypeConverter<Transport> {
    @Override
    public Transport convert(String value) {
      return constant(Transport.class, value);
    }
  }

  /** {@code auto}, {@code nio} or {@code epoll}, any case. */
  static final class IoModeConverter implements CommandLine.ITypeConverter<IoMode> {
    @Override
    public IoMode convert(String value) {
      return constant(IoMode.class, value);
    }
  }

  /** The constant of {@code type} named {@code value} in any case; the error lists them. */
  private static <E extends Enum<E>> E constant(Class<E> type, String value) {
    List<String> names = new ArrayList<>();
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(value)) {
        return constant;
      }
      names.add(constant.name().toLowerCase(Locale.ROOT));
    }
    throw new CommandLine.TypeConversionException("expected " + String.join(" or ", names)
        + ", got '" + value + "'");
  }
}
