package dev.failuredetector.spring.boot.health.boot4;

import dev.failuredetector.netty.HeartbeatNode;
import dev.failuredetector.netty.health.HealthView;
import dev.failuredetector.spring.boot.FailureDetectorAutoConfiguration;
import dev.failuredetector.spring.boot.FailureDetectorProperties;
import dev.failuredetector.spring.boot.health.FailureDetectorHealth;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The actuator health contributor {@code failureDetector} on Spring Boot 4 (see {@link
 * FailureDetectorHealth}); {@code management.health.failure-detector.enabled=false} turns it off.
 */
@AutoConfiguration(after = FailureDetectorAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthContributor")
@ConditionalOnBean(HeartbeatNode.class)
@ConditionalOnEnabledHealthIndicator("failure-detector")
public class FailureDetectorHealthAutoConfiguration {

  /** Named {@code failureDetector} in the actuator (the bean name less its suffix). */
  @Bean
  @ConditionalOnMissingBean(name = "failureDetectorHealthContributor")
  public CompositeHealthContributor failureDetectorHealthContributor(HeartbeatNode node,
      HealthView view, FailureDetectorProperties properties) {
    return new FailureDetectorHealthContributor(new FailureDetectorHealth(node, view,
        properties.getHealth().getPeerDownStatus()));
  }
}
