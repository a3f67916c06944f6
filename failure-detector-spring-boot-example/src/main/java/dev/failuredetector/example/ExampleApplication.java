package dev.failuredetector.example;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small service that watches two peers (other instances of itself) and one dependency (an HTTP
 * probe) with the failure-detector starter, configured in {@code application.yml} alone; it asks
 * the detector which peers to route to ({@link RoutingController}) and logs every transition
 * ({@link TransitionLog}). Run three with NODE_ID, FD_PORT, HTTP_PORT set per instance.
 */
@SpringBootApplication
public class ExampleApplication {

  /** Starts the service. */
  public static void main(String[] args) {
    SpringApplication.run(ExampleApplication.class, args);
  }
}
