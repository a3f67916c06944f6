package dev.failuredetector.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command-line tool: {@code java -jar failure-detector.jar <command>}, with the commands
 * {@code node} ({@link NodeCommand}: one heartbeat node as a process), {@code tune}
 * ({@link TuneCommand}: detector settings from a heartbeat trace) and {@code demo}
 * ({@link DemoCommand}: five nodes on loopback, one killed and restarted).
 *
 * <p>Exit status, for every command: {@value #OK} success; {@value #TARGET_NOT_MET} {@code tune}
 * found no setting that meets the target; {@value #USAGE} a bad command line or bad input (an
 * unknown option, a value out of range, an unreadable trace or key file: one line on stderr saying
 * which, then where to find help); {@value #FAILED} a failure while running (an address that
 * cannot be bound, a demo node that did not start).
 */
@Command(name = "failure-detector", mixinStandardHelpOptions = true,
    versionProvider = FailureDetectorCli.Version.class,
    description = "Failure detection for JVM services: run a heartbeat node, tune a detector from"
        + " a heartbeat trace, or watch a five-node demo.",
    subcommands = {NodeCommand.class, TuneCommand.class, DemoCommand.class,
        CommandLine.HelpCommand.class},
    synopsisSubcommandLabel = "COMMAND",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
        "0:success",
        "1:tune: no setting meets the target",
        "2:bad command line or input (the message says which setting and value)",
        "3:failed while running (for example an address that cannot be bound)"},
    footer = {"", "Run 'failure-detector COMMAND --help' for a command's options."})
public final class FailureDetectorCli implements Runnable {

  /** Exit status: success. */
  public static final int OK = 0;
  /** Exit status: {@code tune} found no setting that meets the target. */
  public static final int TARGET_NOT_MET = 1;
  /** Exit status: a bad command line or bad input. */
  public static final int USAGE = 2;
  /** Exit status: a failure while running. */
  public static final int FAILED = 3;

  @CommandLine.Spec
  private CommandLine.Model.CommandSpec spec;

  /**
   * Runs the tool and exits the JVM with its status.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    // Netty finds slf4j-api; the jar brings logback, but a class path without it should be quiet.
    System.setProperty("slf4j.internal.verbosity", "ERROR");
    System.exit(commandLine().execute(args));
  }

  /**
   * The tool's command line, set up with its exit codes and error handling; {@code execute} it.
   *
   * @return a new command line
   */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new FailureDetectorCli());
    commandLine.setParameterExceptionHandler(FailureDetectorCli::badUsage);
    commandLine.setExecutionExceptionHandler((e, failed, parsed) -> {
      if (e instanceof IllegalArgumentException) { // bad input found while running: a usage error
        return badUsage(new CommandLine.ParameterException(failed, e.getMessage(), e), new String[0]);
      }
      String message = e.getMessage() != null ? e.getMessage() : e.toString();
      failed.getErr().println(failed.getCommandSpec().qualifiedName() + ": " + message);
      failed.getErr().flush();
      return FAILED;
    });
    return commandLine;
  }

  /** One line saying what is wrong, one saying where help is: not the whole usage text. */
  private static int badUsage(CommandLine.ParameterException e, String[] args) {
    CommandLine failed = e.getCommandLine();
    PrintWriter err = failed.getErr();
    String name = failed.getCommandSpec().qualifiedName();
    err.println(name + ": " + e.getMessage());
    err.println("Try '" + name + " --help' for more information.");
    err.flush();
    return USAGE;
  }

  @Override
  public void run() { // no command: the usage text, as a usage error
    throw new CommandLine.ParameterException(spec.commandLine(), "missing a command: node, tune"
        + " or demo");
  }

  /** {@code --version}: this tool's version, and the Netty and Java it runs on. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      Properties properties = new Properties();
      try (InputStream in = FailureDetectorCli.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          properties.load(in);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      String netty = io.netty.util.Version.identify().values().stream()
          .map(io.netty.util.Version::artifactVersion).findFirst().orElse("unknown");
      return new String[] {
          "failure-detector " + properties.getProperty("version", "unknown"),
          "Netty " + netty + ", Java " + Runtime.version() + " (" + System.getProperty("java.vendor")
              + ")"};
    }
  }
}
