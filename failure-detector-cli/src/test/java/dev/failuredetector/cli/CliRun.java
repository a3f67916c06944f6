package dev.failuredetector.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run of {@code java -jar failure-detector.jar ARGS} to its exit, as a user runs it: the jar
 * the build just made (failsafe passes its path), its exit status, stdout and stderr.
 *
 * @param status the exit status
 * @param out what it printed on stdout
 * @param err what it printed on stderr
 */
public record CliRun(int status, String out, String err) {

  /** The jar this build made, from failsafe's configuration. */
  public static String jar() {
    String jar = System.getProperty("failure-detector.jar");
    if (jar == null || !new File(jar).isFile()) {
      throw new IllegalStateException("no failure-detector.jar at " + jar + ": run the tests with"
          + " ./mvnw verify (failsafe, after package), not surefire");
    }
    return jar;
  }

  /** The java that runs this test. */
  public static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  /** Runs the jar with {@code args} (stdin empty), waiting at most two minutes. */
  public static CliRun of(String... args) throws IOException, InterruptedException {
    return of(Map.of(), args);
  }

  /** Runs the jar with {@code args} and these environment variables ({@code FD_KEY} removed). */
  public static CliRun of(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(java(), "-Xshare:auto",
        "-XX:TieredStopAtLevel=1", "-jar", jar()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile("cli", ".out");
    Path err = Files.createTempFile("cli", ".err");
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile())
          .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
      builder.environment().remove("FD_KEY");
      builder.environment().putAll(env);
      Process process = builder.start();
      process.getOutputStream().close(); // end of stdin: a node quits
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        process.destroyForcibly().waitFor();
        throw new IllegalStateException("still running after 2 minutes: " + command);
      }
      return new CliRun(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
