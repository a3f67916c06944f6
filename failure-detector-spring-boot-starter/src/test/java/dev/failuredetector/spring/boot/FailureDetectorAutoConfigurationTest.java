package dev.failuredetector.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.failuredetector.PeerState;
import dev.failuredetector.netty.HeartbeatNode;
import dev.failuredetector.netty.HeartbeatNodeMetrics;
import dev.failuredetector.netty.health.HealthView;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class FailureDetectorAutoConfigurationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(FailureDetectorAutoConfiguration.class,
          dev.failuredetector.spring.boot.health.boot3.FailureDetectorHealthAutoConfiguration
              .class,
          dev.failuredetector.spring.boot.health.boot4.FailureDetectorHealthAutoConfiguration
              .class))
      .withPropertyValues("failure-detector.id=a", "failure-detector.insecure=true");

  @Test
  void aNode_isBuiltStartedAndClosedWithTheContext() throws SocketException {
    int[] port = new int[1];
    runner.withPropertyValues("failure-detector.peers.b=127.0.0.1:9").run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(HeartbeatNode.class)
          .hasSingleBean(HealthView.class).hasSingleBean(HeartbeatNodeMetrics.class);
      HeartbeatNode node = context.getBean(HeartbeatNode.class);
      port[0] = node.localAddress().getPort();
      assertThat(port[0]).as("started: bound").isPositive();
      assertThat(context.getBean(FailureDetectorLifecycle.class).isRunning()).isTrue();
      assertThat(node.registry().snapshot("b")).isPresent();
      assertThatThrownBy(() -> new DatagramSocket(new InetSocketAddress("127.0.0.1", port[0])))
          .as("the node holds its port").isInstanceOf(SocketException.class);
    });
    // closed with the context: its port is free again
    new DatagramSocket(new InetSocketAddress("127.0.0.1", port[0])).close();
  }

  @Test
  void enabledFalse_runsNothing() {
    runner.withPropertyValues("failure-detector.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(HeartbeatNode.class)
            .doesNotHaveBean("failureDetectorHealthContributor"));
  }

  @Test
  void aBadValue_failsTheContext_withTheNamedProperty() {
    runner.withPropertyValues("failure-detector.bind=nowhere").run(context ->
        assertThat(context).hasFailed().getFailure()
            .hasRootCauseInstanceOf(InvalidFailureDetectorPropertyException.class)
            .rootCause().hasMessageContaining("failure-detector.bind"));
  }

  @Test
  void aPortThatIsTaken_failsTheStart_namingBind() throws Exception {
    try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      runner.withPropertyValues("failure-detector.bind=127.0.0.1:" + taken.getLocalPort())
          .run(context -> assertThat(context).hasFailed().getFailure()
              .rootCause().isInstanceOf(java.net.BindException.class));
      runner.withPropertyValues("failure-detector.bind=127.0.0.1:" + taken.getLocalPort())
          .run(context -> {
            Throwable cause = context.getStartupFailure();
            while (!(cause instanceof InvalidFailureDetectorPropertyException)) {
              cause = cause.getCause();
            }
            assertThat(((InvalidFailureDetectorPropertyException) cause).property())
                .isEqualTo("failure-detector.bind");
          });
    }
  }

  @Test
  void aStartAfterAStop_isNotReportedAsABindProblem() {
    runner.run(context -> {
      FailureDetectorLifecycle lifecycle = context.getBean(FailureDetectorLifecycle.class);
      lifecycle.stop(); // closes the node: a closed node does not start again
      assertThatThrownBy(lifecycle::start).isInstanceOf(IllegalStateException.class)
          .isNotInstanceOf(InvalidFailureDetectorPropertyException.class);
    });
  }

  @Test
  void aNodeBeanOfTheApplications_isTheOneStarted() {
    runner.withUserConfiguration(OwnNode.class).run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(HeartbeatNode.class);
      assertThat(context.getBean(HeartbeatNode.class).localId()).isEqualTo("own");
      assertThat(context.getBean(HeartbeatNode.class).localAddress().getPort()).isPositive();
    });
  }

  @Test
  void theHealthContributor_showsTheNodeAndEachProbe_andPeerDownStatusIsThePeersStatus()
      throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    runner.withPropertyValues("failure-detector.interval=200ms",
        "failure-detector.probes.db=tcp://127.0.0.1:" + closedPort,
        "failure-detector.health.peer-down-status=peer_down").run(context -> {
          CompositeHealthContributor health = context.getBean("failureDetectorHealthContributor",
              CompositeHealthContributor.class);
          HealthIndicator node = (HealthIndicator) health.getContributor("node");
          assertThat(node.health().getStatus()).isEqualTo(Status.UP);
          assertThat(node.health().getDetails()).containsEntry("id", "a")
              .containsEntry("address", "127.0.0.1:"
                  + context.getBean(HeartbeatNode.class).localAddress().getPort())
              .containsKeys("detector", "massEjection", "ready");
          assertThat(health.getContributor("peers")).as("no peers: no part").isNull();
          CompositeHealthContributor probes =
              (CompositeHealthContributor) health.getContributor("probes");
          HealthIndicator db = (HealthIndicator) probes.getContributor("db");
          // A refused connect fails a probed target at once.
          await().atMost(Duration.ofSeconds(30))
              .until(() -> db.health().getStatus().getCode().equals("PEER_DOWN"));
          assertThat(db.health().getDetails()).containsEntry("state", PeerState.FAILED.name())
              .containsEntry("reason", "CONNECTION_REFUSED")
              .containsEntry("target", "tcp://127.0.0.1:" + closedPort);
        });
  }

  @Test
  void transitions_arePublishedAsApplicationEvents() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    List<PeerTransitionEvent> events = new CopyOnWriteArrayList<>();
    runner.withPropertyValues("failure-detector.interval=200ms",
            "failure-detector.probes.db=tcp://127.0.0.1:" + closedPort)
        .withBean("listener", ApplicationListener.class,
            () -> (ApplicationListener<PeerTransitionEvent>) events::add)
        .run(context -> await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
            assertThat(events).anySatisfy(e -> {
              assertThat(e.peer()).isEqualTo("db");
              assertThat(e.transition().to()).isEqualTo(PeerState.FAILED);
              assertThat(e.getSource()).isSameAs(context.getBean(HeartbeatNode.class));
            })));
  }

  @Test
  void theMeters_areBoundToTheApplicationsRegistry() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    runner.withPropertyValues("failure-detector.peers.b=127.0.0.1:9").run(context -> {
      context.getBean(HeartbeatNodeMetrics.class).bindTo(meters);
      assertThat(meters.find("failure.detector.transport.messages.sent").tag("node", "a")
          .functionCounter()).isNotNull();
      assertThat(meters.find("failure.detector.peer.phi").tag("peer", "b").gauge()).isNotNull();
    });
  }

  @Test
  void aValueOfTheWrongType_failsTheContext_withSpringsBindingReport() {
    runner.withPropertyValues("failure-detector.interval=soon").run(context -> {
      assertThat(context).hasFailed();
      Throwable cause = context.getStartupFailure();
      while (cause != null && !(cause instanceof BindException)) {
        cause = cause.getCause();
      }
      // what Spring Boot's BindFailureAnalyzer reports as "Property: failure-detector.interval"
      assertThat(cause).isInstanceOf(BindException.class);
      assertThat(((BindException) cause).getName().toString())
          .isEqualTo("failure-detector.interval");
    });
  }

  @Test
  void httpSet_startsTheNodesOwnHealthServer() throws Exception {
    runner.withPropertyValues("failure-detector.http=127.0.0.1:0",
        "failure-detector.peers.b=127.0.0.1:9").run(context -> {
          InetSocketAddress http = context.getBean(FailureDetectorLifecycle.class).healthServer()
              .httpAddress();
          java.net.http.HttpResponse<String> peers = java.net.http.HttpClient.newHttpClient()
              .send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                  "http://127.0.0.1:" + http.getPort() + "/peers")).build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
          assertThat(peers.statusCode()).isEqualTo(200);
          assertThat(peers.body()).contains("\"b\"");
        });
    runner.run(context -> assertThat(context.getBean(FailureDetectorLifecycle.class)
        .healthServer()).as("off by default").isNull());
  }

  @Test
  void withTheOverlay_confirmedViewChanges_arePublishedAsMemberTransitionEvents() {
    int portA = freeUdpPort();
    int portB = freeUdpPort();
    List<MemberTransitionEvent> events = new CopyOnWriteArrayList<>();
    String[] members = {"failure-detector.observers=1", "failure-detector.interval=100ms",
        "failure-detector.peers.a=127.0.0.1:" + portA,
        "failure-detector.peers.b=127.0.0.1:" + portB};
    runner.withPropertyValues(members).withPropertyValues("failure-detector.bind=127.0.0.1:"
            + portA)
        .withBean("listener", ApplicationListener.class,
            () -> (ApplicationListener<MemberTransitionEvent>) events::add)
        .run(a -> {
          runner.withPropertyValues(members).withPropertyValues("failure-detector.id=b",
              "failure-detector.bind=127.0.0.1:" + portB).run(b -> await()
                  .atMost(Duration.ofSeconds(30)).until(() -> a.getBean(HeartbeatNode.class)
                      .registry().isAvailable("b")));
          // b closed (goodbye): a's confirmed view of it changes, and a listener hears it
          await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events)
              .anySatisfy(e -> assertThat(e.transition().member()).isEqualTo("b")));
          assertThat(events.get(0).getSource()).isSameAs(a.getBean(HeartbeatNode.class));
        });
  }

  private static int freeUdpPort() {
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      return socket.getLocalPort();
    } catch (SocketException e) {
      throw new IllegalStateException(e);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnNode {
    @Bean(destroyMethod = "close")
    HeartbeatNode node() {
      return HeartbeatNode.builder().localId("own")
          .bind(new InetSocketAddress("127.0.0.1", 0)).insecure().build();
    }
  }
}
