package dev.failuredetector.spring.boot;

import dev.failuredetector.netty.IoMode;
import dev.failuredetector.netty.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The settings of the application's heartbeat node, under the prefix {@code failure-detector}
 * (the same settings, names and defaults as {@code java -jar failure-detector.jar node}'s
 * options). Values are bound as they are; {@link FailureDetectorNodeFactory} validates them when
 * the node is built, and a bad one fails the application's start naming the property.
 *
 * <p>A mutable JavaBean for Spring's binder; read it once, on the thread that builds the node.
 */
@ConfigurationProperties(prefix = FailureDetectorProperties.PREFIX)
public class FailureDetectorProperties {

  /** The prefix of every property. */
  public static final String PREFIX = "failure-detector";

  /** Whether to run a heartbeat node in this application. */
  private boolean enabled = true;

  /**
   * This node's id, as its peers know it (their failure-detector.peers.&lt;id&gt;). Default: the
   * application's spring.application.name.
   */
  private String id;

  /**
   * Where the node listens for heartbeats, host:port. The default listens on loopback only, on
   * any free port: give the address and port the peers are told.
   */
  private String bind = "127.0.0.1:0";

  /** The heartbeat transport: udp or tcp. */
  private Transport transport = Transport.UDP;

  /**
   * Netty's I/O transport for the node's sockets: auto (native epoll where it loads, with
   * io.netty:netty-transport-native-epoll on the class path; NIO otherwise), nio or epoll.
   */
  private IoMode io = IoMode.AUTO;

  /** The heartbeat interval, sent and expected, and the probe interval. */
  private Duration interval = Duration.ofSeconds(1);

  /**
   * The detector, in DetectorSpec text without interval, e.g. phi:threshold=10 or
   * chen:margin=200ms. Default: phi with its defaults (threshold 8, acceptable pause 3s).
   */
  private String detector;

  /** How long a peer stays SUSPECTED before it is FAILED. Default: the registry's, 10s. */
  private Duration confirmationTime;

  /**
   * HMAC keys, one keyId:hex line each (the first signs), readable by this user only. Without
   * it the environment variable FD_KEY (keyId:hex;keyId:hex) is read; with neither, the
   * application does not start unless failure-detector.insecure is true.
   */
  private Path keyFile;

  /**
   * Run without keys: anyone who can reach the node's port can make a dead peer look alive or a
   * live one look gone. For a trusted network or a test only.
   */
  private boolean insecure;

  /**
   * The peers to heartbeat and watch: id to host:port, each running failure-detector too. An
   * entry with this node's own id is skipped, so every member can share one list.
   */
  private Map<String, String> peers = new LinkedHashMap<>();

  /**
   * Targets that run nothing of ours, probed every interval: id to URL, udp://host:port (a
   * node's PING/ACK), tcp://host:port (a connect; refused: FAILED at once) or
   * http://host[:port]/path (a GET; 200-399 healthy, others FAILED UNHEALTHY at once; append
   * #status=200-299 to choose the healthy range).
   */
  private Map<String, String> probes = new LinkedHashMap<>();

  /**
   * The cluster overlay: each member is observed by this many others (1-64) and a member is
   * FAILED only when most of its observers agree. 0: no overlay, every node watches every peer
   * and decides alone. Every member must use the same value and the same peers.
   */
  private int observers;

  /**
   * Detectors evaluated beside the active one on the live arrivals (DetectorSpec text without
   * interval, at most 8): their would-be mistakes and detection time, in the metrics.
   */
  private List<String> shadows = new ArrayList<>();

  private final AutoTune autoTune = new AutoTune();

  private final Health health = new Health();

  /**
   * The node's own HTTP health server (/health, /peers, /ready, /live, /metrics, the status
   * page), host:port. Off by default: in a Spring application the actuator is the HTTP face.
   */
  private String http;

  /** HAProxy's agent check, served at host:port. Off by default. */
  private String agent;

  /** Whether the meters carry one series per peer (failure.detector.peer.*, tag peer). */
  private boolean perPeerMeters = true;

  /** Auto-tuning: make the fastest shadow candidate that meets a mistake budget the active one. */
  public static class AutoTune {

    /**
     * The mistake budget, false suspicions a day per peer. Set it to turn auto-tuning on (with
     * failure-detector.shadows as the candidates).
     */
    private Double maxMistakesPerDay;

    /** How often auto-tuning looks (at least 1s). */
    private Duration period = Duration.ofMinutes(10);

    /** Keep the budget's 95% upper bound this many times below the budget. */
    private double headroom = 2;

    public Double getMaxMistakesPerDay() {
      return maxMistakesPerDay;
    }

    public void setMaxMistakesPerDay(Double maxMistakesPerDay) {
      this.maxMistakesPerDay = maxMistakesPerDay;
    }

    public Duration getPeriod() {
      return period;
    }

    public void setPeriod(Duration period) {
      this.period = period;
    }

    public double getHeadroom() {
      return headroom;
    }

    public void setHeadroom(double headroom) {
      this.headroom = headroom;
    }
  }

  /** How peers show in the actuator's health. */
  public static class Health {

    /**
     * The status of a peer or probed target that is suspected or failed. DOWN (the default)
     * makes failureDetector, and so the application's aggregate health, DOWN while any peer is
     * down; a status Spring does not order, such as PEER_DOWN, shows on the peer and leaves the
     * aggregate alone (see the README: one dead peer should not take every node out of a load
     * balancer).
     */
    private String peerDownStatus = "DOWN";

    public String getPeerDownStatus() {
      return peerDownStatus;
    }

    public void setPeerDownStatus(String peerDownStatus) {
      this.peerDownStatus = peerDownStatus;
    }
  }

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public String getBind() {
    return bind;
  }

  public void setBind(String bind) {
    this.bind = bind;
  }

  public Transport getTransport() {
    return transport;
  }

  public void setTransport(Transport transport) {
    this.transport = transport;
  }

  public IoMode getIo() {
    return io;
  }

  public void setIo(IoMode io) {
    this.io = io;
  }

  public Duration getInterval() {
    return interval;
  }

  public void setInterval(Duration interval) {
    this.interval = interval;
  }

  public String getDetector() {
    return detector;
  }

  public void setDetector(String detector) {
    this.detector = detector;
  }

  public Duration getConfirmationTime() {
    return confirmationTime;
  }

  public void setConfirmationTime(Duration confirmationTime) {
    this.confirmationTime = confirmationTime;
  }

  public Path getKeyFile() {
    return keyFile;
  }

  public void setKeyFile(Path keyFile) {
    this.keyFile = keyFile;
  }

  public boolean isInsecure() {
    return insecure;
  }

  public void setInsecure(boolean insecure) {
    this.insecure = insecure;
  }

  public Map<String, String> getPeers() {
    return peers;
  }

  public void setPeers(Map<String, String> peers) {
    this.peers = peers;
  }

  public Map<String, String> getProbes() {
    return probes;
  }

  public void setProbes(Map<String, String> probes) {
    this.probes = probes;
  }

  public int getObservers() {
    return observers;
  }

  public void setObservers(int observers) {
    this.observers = observers;
  }

  public List<String> getShadows() {
    return shadows;
  }

  public void setShadows(List<String> shadows) {
    this.shadows = shadows;
  }

  public AutoTune getAutoTune() {
    return autoTune;
  }

  public Health getHealth() {
    return health;
  }

  public String getHttp() {
    return http;
  }

  public void setHttp(String http) {
    this.http = http;
  }

  public String getAgent() {
    return agent;
  }

  public void setAgent(String agent) {
    this.agent = agent;
  }

  public boolean isPerPeerMeters() {
    return perPeerMeters;
  }

  public void setPerPeerMeters(boolean perPeerMeters) {
    this.perPeerMeters = perPeerMeters;
  }
}
