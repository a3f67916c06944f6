package dev.failuredetector.netty;

/**
 * One kind of probe ({@code udp://}, {@code tcp://}, {@code http://}): sends probe number {@code n}
 * to its target and tells its {@link ProbeRunner} what came of it (an answer, a refused
 * connection, an unhealthy status); silence is told by nobody (the schedule's cap). The schedule,
 * the bounds and what an outcome means to the detector are the runner's. Event loop only.
 */
interface TargetProbe {

  /** Sends probe {@code number}; its outcome goes to the runner, on the event loop. */
  void send(long number);

  /** Stops: closes what is open; later outcomes are ignored by the runner. Idempotent. */
  default void close() {}
}
