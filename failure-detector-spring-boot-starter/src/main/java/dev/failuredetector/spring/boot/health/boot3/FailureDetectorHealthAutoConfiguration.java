package dev.failuredetector.spring.boot.health.boot3;

import dev.failuredetector.netty.HeartbeatNode;
import dev.failuredetector.netty.health.HealthView;
import dev.failuredetector.spring.boot.FailureDetectorAutoConfiguration;
import dev.failuredetector.spring.boot.FailureDetectorProperties;
import dev.failuredetector.spring.boot.health.FailureDetectorHealth;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The actuator health contributor {@code failureDetector} on Spring Boot 3 (see {@link
 * FailureDetectorHealth}); {@code management.health.failure-detector.enabled=false} turns it off.
 */
@AutoConfiguration(after = FailureDetectorAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthContributor")
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
