package dev.failuredetector.spring.boot;

import dev.failuredetector.netty.HeartbeatNode;
import dev.failuredetector.netty.HeartbeatNodeMetrics;
import dev.failuredetector.netty.health.HealthView;
import io.micrometer.core.instrument.Tags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Runs a {@link HeartbeatNode} in the application, configured by {@code failure-detector.*}
 * ({@link FailureDetectorProperties}): started with the context, closed (with a goodbye) when it
 * closes, its transitions published as {@link PeerTransitionEvent} (and {@link
 * MemberTransitionEvent} with the overlay), its meters bound to the application's Micrometer
 * registry. {@code failure-detector.enabled=false} turns it all off. Define a {@code
 * HeartbeatNode} bean of your own to replace the one built from properties (the starter then
 * starts and closes yours), or a {@code HealthView} bean to choose the mass-ejection guard.
 */
@AutoConfiguration
@ConditionalOnProperty(prefix = FailureDetectorProperties.PREFIX, name = "enabled",
    matchIfMissing = true)
@EnableConfigurationProperties(FailureDetectorProperties.class)
public class FailureDetectorAutoConfiguration {

  private static final Logger LOG = LoggerFactory.getLogger(FailureDetectorAutoConfiguration.class);

  /** The node, built (not started) from the properties; a bad value fails the start. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public HeartbeatNode failureDetectorNode(FailureDetectorProperties properties,
      Environment environment) {
    return new FailureDetectorNodeFactory(properties,
        environment.getProperty("spring.application.name"), System.getenv(),
        warning -> LOG.warn("failure-detector.key-file: {}", warning)).build();
  }

  /** How the node's peers are judged for health (the default mass-ejection guard). */
  @Bean
  @ConditionalOnMissingBean
  public HealthView failureDetectorHealthView(HeartbeatNode node) {
    return HealthView.of(node);
  }

  /** Starts and closes the node with the context; its own health server if configured. */
  @Bean
  FailureDetectorLifecycle failureDetectorLifecycle(HeartbeatNode node,
      FailureDetectorProperties properties) {
    return new FailureDetectorLifecycle(node, properties.getBind(),
        FailureDetectorNodeFactory.optionalAddress("http", properties.getHttp()),
        FailureDetectorNodeFactory.optionalAddress("agent", properties.getAgent()));
  }

  /** Publishes the node's transitions as application events. */
  @Bean(destroyMethod = "close")
  TransitionEvents failureDetectorTransitionEvents(HeartbeatNode node,
      ApplicationEventPublisher publisher) {
    return TransitionEvents.publish(node, publisher);
  }

  /** The node's meters, bound by Spring Boot to the application's MeterRegistry. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
  static class Metrics {

    @Bean
    @ConditionalOnMissingBean
    HeartbeatNodeMetrics failureDetectorMetrics(HeartbeatNode node,
        FailureDetectorProperties properties) {
      return properties.isPerPeerMeters()
          ? HeartbeatNodeMetrics.withPerPeerMeters(node, Tags.empty())
          : new HeartbeatNodeMetrics(node, Tags.empty());
    }
  }
}
