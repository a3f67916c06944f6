package dev.failuredetector.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a bad {@code failure-detector.*} property as Spring Boot reports a bad binding: the
 * property, its value, the reason, and what to do, instead of a stack trace alone. Registered in
 * {@code META-INF/spring.factories}.
 */
class FailureDetectorFailureAnalyzer
    extends AbstractFailureAnalyzer<InvalidFailureDetectorPropertyException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure,
      InvalidFailureDetectorPropertyException cause) {
    String description = "The failure detector could not be configured:\n\n"
        + "    Property: " + cause.property() + "\n"
        + "    Value: " + (cause.value() == null ? "(none)" : "\"" + cause.value() + "\"") + "\n"
        + "    Reason: " + cause.reason();
    String action = "Update the application's configuration: give " + cause.property()
        + " a valid value (the README's \"Spring Boot\" section lists every failure-detector"
        + " property), or set failure-detector.enabled=false to run without the node.";
    return new FailureAnalysis(description, action, cause);
  }
}
