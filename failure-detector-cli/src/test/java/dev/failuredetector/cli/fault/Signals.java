package dev.failuredetector.cli.fault;

import java.io.IOException;

/** Sends a signal to a process ({@code kill -NAME pid}), as an operator's shell would. */
final class Signals {

  private Signals() {}

  /** Sends {@code name} (STOP, CONT, ...) to {@code pid}; throws if {@code kill} fails. */
  static void send(long pid, String name) throws IOException, InterruptedException {
    int exit = new ProcessBuilder("kill", "-" + name, Long.toString(pid))
        .inheritIO().start().waitFor();
    if (exit != 0) {
      throw new IllegalStateException("kill -" + name + " " + pid + " exited " + exit);
    }
  }
}
