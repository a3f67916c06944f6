package dev.failuredetector.spring.boot;

/**
 * A {@code failure-detector.*} property whose value the node cannot use; {@link
 * FailureDetectorFailureAnalyzer} turns it into Spring Boot's "APPLICATION FAILED TO START"
 * report naming the property, the value and what would be accepted.
 */
public class InvalidFailureDetectorPropertyException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String property;
  private final transient Object value;
  private final String reason;

  /**
   * @param property the property's full name, e.g. {@code failure-detector.peers.b}
   * @param value the value it has (null when a required property is missing)
   * @param reason what is wrong and what would be accepted
   */
  public InvalidFailureDetectorPropertyException(String property, Object value, String reason) {
    this(property, value, reason, null);
  }

  /**
   * @param property the property's full name
   * @param value the value it has
   * @param reason what is wrong
   * @param cause what failed because of it (may be null)
   */
  public InvalidFailureDetectorPropertyException(String property, Object value, String reason,
      Throwable cause) {
    super("Invalid value " + (value == null ? "(none)" : "'" + value + "'") + " for property "
        + property + ": " + reason, cause);
    this.property = property;
    this.value = value;
    this.reason = reason;
  }

  /** The property's full name. */
  public String property() {
    return property;
  }

  /** The value it has, or null if it is missing. */
  public Object value() {
    return value;
  }

  /** What is wrong with it. */
  public String reason() {
    return reason;
  }
}
