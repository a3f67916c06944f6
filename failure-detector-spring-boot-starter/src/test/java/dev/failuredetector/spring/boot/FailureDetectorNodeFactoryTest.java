package dev.failuredetector.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.failuredetector.netty.HeartbeatNode;
import dev.failuredetector.netty.IoMode;
import dev.failuredetector.netty.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.diagnostics.FailureAnalysis;

class FailureDetectorNodeFactoryTest {

  private static final String KEY = "1:" + "ab".repeat(32);

  @TempDir
  Path dir;

  private static FailureDetectorProperties insecure() {
    FailureDetectorProperties properties = new FailureDetectorProperties();
    properties.setId("a");
    properties.setInsecure(true);
    return properties;
  }

  private static HeartbeatNode build(FailureDetectorProperties properties) {
    return new FailureDetectorNodeFactory(properties, null, Map.of(), w -> { }).build();
  }

  /** Builds with one bad setting and returns the property the error names. */
  private static InvalidFailureDetectorPropertyException refused(
      Consumer<FailureDetectorProperties> bad) {
    FailureDetectorProperties properties = insecure();
    bad.accept(properties);
    try {
      HeartbeatNode node = build(properties);
      node.close();
    } catch (InvalidFailureDetectorPropertyException e) {
      return e;
    }
    throw new AssertionError("accepted");
  }

  @Test
  void everyBadValue_isRefused_namingItsProperty() {
    assertThat(refused(p -> p.setBind("localhost")).property()).isEqualTo("failure-detector.bind");
    assertThat(refused(p -> p.setBind("127.0.0.1:70000")).property())
        .isEqualTo("failure-detector.bind");
    assertThat(refused(p -> p.getPeers().put("b", "b.internal")).property())
        .isEqualTo("failure-detector.peers.b");
    assertThat(refused(p -> p.getPeers().put("x".repeat(65), "127.0.0.1:1")).property())
        .isEqualTo("failure-detector.peers." + "x".repeat(65));
    assertThat(refused(p -> p.getProbes().put("db", "ftp://db:21")).property())
        .isEqualTo("failure-detector.probes.db");
    assertThat(refused(p -> p.setDetector("phi:thresold=8")).property())
        .isEqualTo("failure-detector.detector");
    assertThat(refused(p -> p.setDetector("phi:interval=2s")).reason())
        .contains("failure-detector.interval");
    assertThat(refused(p -> p.setInterval(Duration.ZERO)).property())
        .isEqualTo("failure-detector.interval");
    assertThat(refused(p -> p.setObservers(65)).property())
        .isEqualTo("failure-detector.observers");
    assertThat(refused(p -> p.setConfirmationTime(Duration.ofSeconds(-1))).property())
        .isEqualTo("failure-detector.confirmation-time");
    assertThat(refused(p -> p.setShadows(List.of("chen:margin=-1ms"))).property())
        .isEqualTo("failure-detector.shadows[0]");
    assertThat(refused(p -> p.setId("")).property()).isEqualTo("failure-detector.id");
    assertThat(refused(p -> p.setTransport(null)).property())
        .isEqualTo("failure-detector.transport");
    assertThat(refused(p -> p.setIo(null)).property()).isEqualTo("failure-detector.io");
    // A Boot application has no native epoll unless it adds netty-transport-native-epoll.
    InvalidFailureDetectorPropertyException epoll = refused(p -> p.setIo(IoMode.EPOLL));
    assertThat(epoll.property()).isEqualTo("failure-detector.io");
    assertThat(epoll.reason()).contains("netty-transport-native-epoll is not on the class path");
    assertThat(refused(p -> {
      p.setInsecure(false);
      p.setKeyFile(Path.of("/nonexistent/keys"));
    }).property()).isEqualTo("failure-detector.key-file");
  }

  @Test
  void theError_namesTheValue_andTheAnalyzerSaysWhatToDo() {
    InvalidFailureDetectorPropertyException e =
        refused(p -> p.getPeers().put("b", "b.internal"));
    assertThat(e.value()).isEqualTo("b.internal");
    assertThat(e.getMessage()).isEqualTo("Invalid value 'b.internal' for property"
        + " failure-detector.peers.b: it must be host:port (port 0-65535), got b.internal");
    FailureAnalysis analysis = new FailureDetectorFailureAnalyzer()
        .analyze(new IllegalStateException("wrapped", e));
    assertThat(analysis.getDescription()).contains("Property: failure-detector.peers.b",
        "Value: \"b.internal\"", "Reason: it must be host:port");
    assertThat(analysis.getAction()).contains("failure-detector.peers.b",
        "failure-detector.enabled=false");
  }

  @Test
  void noKey_isRefused_sayingEveryWayToGiveOne() {
    InvalidFailureDetectorPropertyException e = refused(p -> p.setInsecure(false));
    assertThat(e.property()).isEqualTo("failure-detector.key-file");
    assertThat(e.reason()).contains("FD_KEY", "failure-detector.insecure=true");
    assertThat(refused(p -> p.setKeyFile(dir.resolve("absent"))).property())
        .as("insecure with a key file").isEqualTo("failure-detector.key-file");
  }

  @Test
  void aKeyAndInsecure_areRefused_asAContradiction() throws Exception {
    Path keys = dir.resolve("keys");
    Files.writeString(keys, KEY + "\n");
    InvalidFailureDetectorPropertyException e = refused(p -> p.setKeyFile(keys));
    assertThat(e.property()).isEqualTo("failure-detector.insecure");
  }

  @Test
  void theKey_comesFromTheFile_orElseFromFdKey() throws Exception {
    Path keys = dir.resolve("keys");
    Files.writeString(keys, KEY + "\n");
    Files.setPosixFilePermissions(keys, java.nio.file.attribute.PosixFilePermissions
        .fromString("rw-r--r--"));
    FailureDetectorProperties fromFile = insecure();
    fromFile.setInsecure(false);
    fromFile.setKeyFile(keys);
    List<String> warnings = new ArrayList<>();
    new FailureDetectorNodeFactory(fromFile, null, Map.of(), warnings::add).build().close();
    assertThat(warnings).singleElement().asString().contains("chmod 600");

    FailureDetectorProperties fromEnvironment = insecure();
    fromEnvironment.setInsecure(false);
    new FailureDetectorNodeFactory(fromEnvironment, null, Map.of("FD_KEY", KEY), w -> { })
        .build().close();
    assertThatThrownBy(() -> new FailureDetectorNodeFactory(fromEnvironment, null,
        Map.of("FD_KEY", "1:abcd"), w -> { }).build())
        .isInstanceOf(InvalidFailureDetectorPropertyException.class)
        .hasMessageContaining("FD_KEY");
  }

  @Test
  void shadowsAndAutoTune_becomeTheRegistrysCandidates() {
    FailureDetectorProperties properties = insecure();
    properties.getPeers().put("b", "127.0.0.1:9");
    properties.setShadows(List.of("phi:threshold=4", "phi:threshold=12"));
    HeartbeatNode node = build(properties);
    try {
      assertThat(dev.failuredetector.netty.health.HealthView.of(node).peer("b").orElseThrow()
          .shadow()).hasSize(2);
    } finally {
      node.close();
    }
    properties.getAutoTune().setMaxMistakesPerDay(1.0);
    node = build(properties);
    try {
      // with auto-tuning the active detector is a candidate too
      assertThat(dev.failuredetector.netty.health.HealthView.of(node).peer("b").orElseThrow()
          .shadow()).hasSize(3);
    } finally {
      node.close();
    }
    properties.getAutoTune().setPeriod(Duration.ofMillis(10));
    assertThat(refused(p -> {
      p.setShadows(List.of("phi:threshold=4"));
      p.getAutoTune().setMaxMistakesPerDay(1.0);
      p.getAutoTune().setPeriod(Duration.ofMillis(10));
    }).property()).isEqualTo("failure-detector.auto-tune.period");
    assertThat(refused(p -> {
      p.setShadows(List.of("phi:threshold=4"));
      p.getAutoTune().setMaxMistakesPerDay(1.0);
      p.getAutoTune().setHeadroom(0.5);
    }).property()).isEqualTo("failure-detector.auto-tune.headroom");
    assertThat(refused(p -> p.getAutoTune().setMaxMistakesPerDay(-1.0)).property())
        .isEqualTo("failure-detector.auto-tune.max-mistakes-per-day");
  }

  @Test
  void theId_defaultsToTheApplicationName_andItsOwnPeerEntryIsSkipped() {
    FailureDetectorProperties properties = insecure();
    properties.setId(null);
    properties.getPeers().put("orders-a", "127.0.0.1:7946");
    properties.getPeers().put("orders-b", "127.0.0.1:7947");
    properties.setTransport(Transport.TCP);
    HeartbeatNode node = new FailureDetectorNodeFactory(properties, "orders-a", Map.of(),
        w -> { }).build();
    try {
      assertThat(node.localId()).isEqualTo("orders-a");
      assertThat(node.transport()).isEqualTo(Transport.TCP);
      assertThat(node.io()).isEqualTo(IoMode.NIO); // auto, without the native library
      assertThat(node.registry().snapshot("orders-b")).isPresent();
      assertThat(node.registry().snapshot("orders-a")).isEmpty();
    } finally {
      node.close();
    }
    assertThat(refused(p -> p.setId(null)).reason()).contains("spring.application.name");
  }
}
