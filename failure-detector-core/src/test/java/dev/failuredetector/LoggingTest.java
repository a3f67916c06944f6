package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The library logs through the SLF4J API, so an application's logging (logback here) formats and
 * routes its warnings like its own: not java.util.logging lines on stderr.
 */
class LoggingTest {

  @Test
  void aListenerThatThrows_isReportedThroughTheApplicationsLogback_inItsFormat() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("[orders-service] %level %logger{0}: %msg%n");
    encoder.start();
    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setOutputStream(sink);
    appender.start();
    Logger logger = context.getLogger(FailureDetectorRegistry.class);
    logger.addAppender(appender);
    ManualClock clock = new ManualClock(0);
    try (FailureDetectorRegistry<String> registry = FailureDetectorRegistry.builder()
        .clock(clock).tickScheduler(new ManualTicks(clock)).listenerExecutor(Runnable::run)
        .build()) {
      registry.addListener(t -> {
        throw new IllegalStateException("listener bug");
      });
      registry.register("a");
      await().atMost(Duration.ofSeconds(30)).until(() -> sink.size() > 0);
    } finally {
      logger.detachAppender(appender);
    }
    assertThat(sink.toString(StandardCharsets.UTF_8)).startsWith("[orders-service] WARN"
        + " FailureDetectorRegistry: Peer state listener ")
        .contains("threw; it keeps receiving transitions, further failures are only counted");
  }
}
