package dev.failuredetector.spring.boot;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.netty.HeartbeatNode;
import dev.failuredetector.netty.HostPort;
import dev.failuredetector.netty.KeyRing;
import dev.failuredetector.netty.KeySource;
import dev.failuredetector.netty.ProbeTarget;
import dev.failuredetector.netty.WireMessage;
import dev.failuredetector.netty.internal.IoChannels;
import dev.failuredetector.qos.AutoTuner;
import dev.failuredetector.qos.QosTarget;
import dev.failuredetector.qos.ShadowCandidates;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Builds the application's {@link HeartbeatNode} from {@link FailureDetectorProperties}, checking
 * every value on the way: each check that fails throws {@link
 * InvalidFailureDetectorPropertyException} naming the property as the user wrote it ({@code
 * failure-detector.peers.b}), never an option of the command-line tool.
 */
final class FailureDetectorNodeFactory {

  private static final String P = FailureDetectorProperties.PREFIX + ".";

  private final FailureDetectorProperties properties;
  private final String applicationName;
  private final Map<String, String> environment;
  private final Consumer<String> warnings;

  /**
   * @param applicationName {@code spring.application.name}, the default id (may be null)
   * @param environment the process environment, where {@code FD_KEY} is read
   * @param warnings told about a key file other users can read
   */
  FailureDetectorNodeFactory(FailureDetectorProperties properties, String applicationName,
      Map<String, String> environment, Consumer<String> warnings) {
    this.properties = properties;
    this.applicationName = applicationName;
    this.environment = environment;
    this.warnings = warnings;
  }

  /** The node's id: {@code failure-detector.id}, else {@code spring.application.name}. */
  String id() {
    String id = properties.getId() != null ? properties.getId() : applicationName;
    if (id == null || id.isBlank()) {
      throw new InvalidFailureDetectorPropertyException(P + "id", properties.getId(),
          "the node needs an id, as its peers know it: set failure-detector.id (or"
              + " spring.application.name)");
    }
    check("id", id, () -> WireMessage.checkSenderId(id));
    return id;
  }

  /** A builder for the node these properties describe (not started). */
  HeartbeatNode.Builder builder() {
    String id = id();
    HeartbeatNode.Builder node = HeartbeatNode.builder().localId(id)
        .bind(address("bind", properties.getBind()));
    if (properties.getTransport() == null) {
      throw new InvalidFailureDetectorPropertyException(P + "transport", null,
          "expected udp or tcp");
    }
    node.transport(properties.getTransport());
    if (properties.getIo() == null) {
      throw new InvalidFailureDetectorPropertyException(P + "io", null,
          "expected auto, nio or epoll");
    }
    try {
      IoChannels.of(properties.getIo(), null); // what build() will ask: fails here, named
    } catch (IllegalStateException e) {
      throw new InvalidFailureDetectorPropertyException(P + "io", properties.getIo(),
          e.getMessage());
    }
    node.io(properties.getIo());
    Duration interval = properties.getInterval();
    check("interval", interval, () -> node.interval(interval));
    int observers = properties.getObservers();
    if (observers < 0 || observers > 64) {
      throw new InvalidFailureDetectorPropertyException(P + "observers", observers,
          "must be between 1 and 64 (0: no overlay)");
    }
    node.observers(observers);
    DetectorSpec spec = properties.getDetector() == null
        ? DetectorSpec.phi().withInterval(interval)
        : check("detector", properties.getDetector(), () -> DetectorSpec.parse(
            properties.getDetector(), interval, P + "interval"));
    Duration confirmation = properties.getConfirmationTime();
    List<DetectorSpec> candidates = new ArrayList<>();
    List<String> shadows = properties.getShadows();
    for (int i = 0; i < shadows.size(); i++) {
      String text = shadows.get(i);
      candidates.add(check("shadows[" + i + "]", text,
          () -> DetectorSpec.parse(text, interval, P + "interval")));
    }
    FailureDetectorProperties.AutoTune autoTune = properties.getAutoTune();
    ShadowCandidates shadowCandidates = candidates.isEmpty() && autoTune.getMaxMistakesPerDay()
        == null ? null : check("shadows", shadows, () -> autoTune.getMaxMistakesPerDay() != null
            ? ShadowCandidates.withActive(candidates) : ShadowCandidates.of(candidates));
    AutoTuner tuner = null;
    if (autoTune.getMaxMistakesPerDay() != null) {
      QosTarget budget = check("auto-tune.max-mistakes-per-day",
          autoTune.getMaxMistakesPerDay(),
          () -> QosTarget.maxMistakesPerDay(autoTune.getMaxMistakesPerDay()));
      if (autoTune.getPeriod() == null || autoTune.getPeriod().compareTo(Duration.ofSeconds(1))
          < 0) {
        throw new InvalidFailureDetectorPropertyException(P + "auto-tune.period",
            autoTune.getPeriod(), "must be at least 1s");
      }
      tuner = check("auto-tune.headroom", autoTune.getHeadroom(), () -> AutoTuner.of(
          shadowCandidates, budget, autoTune.getHeadroom(), autoTune.getPeriod()));
    }
    AutoTuner autoTuner = tuner;
    // The registry's own checks (a confirmation time out of range, a candidate of another kind)
    // run when the node is built: build() below reports them under the property they concern.
    node.registry(registry -> {
      registry.detector(spec);
      if (confirmation != null) {
        check("confirmation-time", confirmation, () -> registry.confirmationTime(confirmation));
      }
      if (shadowCandidates != null) {
        registry.plugin(shadowCandidates);
      }
      if (autoTuner != null) {
        registry.plugin(autoTuner);
      }
    });
    properties.getPeers().forEach((peer, hostPort) -> {
      if (peer.equals(id)) {
        return; // this node's own entry: every member can share one list
      }
      check("peers." + peer, peer, () -> WireMessage.checkSenderId(peer));
      node.peer(peer, address("peers." + peer, hostPort));
    });
    properties.getProbes().forEach((probe, url) -> {
      check("probes." + probe, probe, () -> WireMessage.checkSenderId(probe));
      node.probe(probe, check("probes." + probe, url, () -> ProbeTarget.parse(url)));
    });
    node.probeLimits(4, HeartbeatNode.defaultProbeCap(interval));
    keys(node);
    return node;
  }

  /** Builds the node, reporting what the builder refuses under the property it concerns. */
  HeartbeatNode build() {
    HeartbeatNode.Builder builder = builder();
    try {
      return builder.build();
    } catch (InvalidFailureDetectorPropertyException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new InvalidFailureDetectorPropertyException(P.substring(0, P.length() - 1),
          "(the node's settings)", e.getMessage());
    }
  }

  /** {@code failure-detector.http} or {@code .agent} as an address, or null when not set. */
  static InetSocketAddress optionalAddress(String name, String value) {
    return value == null || value.isBlank() ? null : address(name, value);
  }

  private void keys(HeartbeatNode.Builder node) {
    KeyRing keys = null;
    if (properties.getKeyFile() != null) {
      keys = check("key-file", properties.getKeyFile(),
          () -> KeySource.fromFile(properties.getKeyFile(), warnings));
    } else {
      keys = check("key-file", null, () -> KeySource.fromEnvironment(environment));
    }
    if (properties.isInsecure()) {
      if (keys != null) {
        throw new InvalidFailureDetectorPropertyException(P + "insecure", true,
            "insecure with a key (failure-detector.key-file or FD_KEY): choose one");
      }
      node.insecure();
    } else if (keys == null) {
      throw new InvalidFailureDetectorPropertyException(P + "key-file", null,
          "no key: give failure-detector.key-file (a file of keyId:hex lines, the first signs,"
              + " chmod 600) or set the environment variable FD_KEY (keyId:hex;...), or set"
              + " failure-detector.insecure=true for a trusted network or a test (then anyone"
              + " who can reach the node can make a dead peer look alive)");
    } else {
      node.keyRing(keys);
    }
  }

  private static InetSocketAddress address(String name, String value) {
    return check(name, value, () -> HostPort.parse("it", value));
  }

  /** Runs {@code parse}; an IllegalArgumentException it throws is reported under {@code name}. */
  private static <T> T check(String name, Object value, Supplier<T> parse) {
    try {
      return parse.get();
    } catch (InvalidFailureDetectorPropertyException e) {
      throw e;
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      throw new InvalidFailureDetectorPropertyException(P + name, value, e.getMessage());
    }
  }
}
