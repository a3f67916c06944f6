package dev.failuredetector.netty.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.failuredetector.netty.HeartbeatNode;
import dev.failuredetector.netty.HeartbeatNodeMetrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The operations files in {@code docs/}: the Prometheus alert rules pass {@code promtool check
 * rules} and their unit tests ({@code promtool test rules}, Debian's prometheus package, which
 * {@code .ci/run} installs), and every metric the rules and the Grafana dashboard name exists in a
 * real scrape of a node's meters (a renamed meter would otherwise silently blank them).
 */
class OperationsFilesTest {

  private static final Path DOCS = Path.of("..", "docs");
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

  @Test
  void alertRules_passPromtool() throws Exception {
    assumeTrue(Files.isExecutable(PROMTOOL), "promtool is not installed (.ci/run installs it)");
    assertThat(promtool("check", "rules", "prometheus-alerts.yml")).contains("SUCCESS: 5 rules");
    assertThat(promtool("test", "rules", "prometheus-alerts-test.yml")).contains("SUCCESS");
  }

  @Test
  void everyMetricTheRulesAndTheDashboardName_isInARealScrape() throws Exception {
    String scrape = scrapeOfANode();
    Set<String> scraped = new TreeSet<>();
    Matcher line = Pattern.compile("(?m)^(failure_detector_\\w+?)(\\{| )").matcher(scrape);
    while (line.find()) {
      scraped.add(line.group(1));
    }
    Set<String> named = new TreeSet<>();
    for (String file : new String[] {"prometheus-alerts.yml", "grafana-dashboard.json"}) {
      Matcher name = Pattern.compile("failure_detector_\\w+")
          .matcher(Files.readString(DOCS.resolve(file), StandardCharsets.UTF_8));
      while (name.find()) {
        named.add(name.group());
      }
    }
    assertThat(named).hasSizeGreaterThan(5);
    assertThat(scraped).as("metrics in a scrape of a node").containsAll(named);
  }

  /** A node with one peer, its meters (per-peer ones included) in a Prometheus registry. */
  private static String scrapeOfANode() throws Exception {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    HeartbeatNode node = HeartbeatNode.builder().insecure().localId("a")
        .bind(new InetSocketAddress("127.0.0.1", 0)).interval(Duration.ofMillis(100))
        .peer("b", new InetSocketAddress("127.0.0.1", 9)).build();
    try {
      HeartbeatNodeMetrics.withPerPeerMeters(node, Tags.empty()).bindTo(prometheus);
      return prometheus.scrape();
    } finally {
      node.close();
    }
  }

  private static String promtool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(PROMTOOL.toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(DOCS.toFile())
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }
}
