package dev.failuredetector.netty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;

/**
 * Where a node's HMAC keys come from when they are not built in code: a file of {@code keyId:hex}
 * lines, or the environment variable {@code FD_KEY} ({@code keyId:hex;keyId:hex}), never the
 * command line, whose arguments any local user can read from {@code /proc/PID/cmdline}. The
 * format is {@link KeyRing#parse}'s: the first key signs, the others are accepted for rotation.
 */
public final class KeySource {

  /** The environment variable read by {@link #fromEnvironment}. */
  public static final String ENVIRONMENT_VARIABLE = "FD_KEY";

  private KeySource() {}

  /**
   * Reads the ring in {@code file}; {@code warnings} is told (once) if the file can be read by
   * users other than its owner.
   *
   * @throws IllegalArgumentException if the file is missing or its contents are not a key ring
   *     (the message names the file and the entry, never a key)
   * @throws UncheckedIOException if it cannot be read
   */
  public static KeyRing fromFile(Path file, java.util.function.Consumer<String> warnings) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("key file " + file + " does not exist");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read key file " + file, e);
    }
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      if (permissions.contains(PosixFilePermission.GROUP_READ)
          || permissions.contains(PosixFilePermission.OTHERS_READ)) {
        warnings.accept("key file " + file + " is readable by other users: chmod 600 " + file);
      }
    } catch (UnsupportedOperationException | IOException e) {
      // not a POSIX file system: nothing to check
    }
    return KeyRing.parse("key file " + file, text);
  }

  /**
   * Reads the ring in {@code FD_KEY} of {@code environment} (pass {@code System.getenv()}), or
   * returns null if it is not set.
   *
   * @throws IllegalArgumentException if it is set but not a key ring
   */
  public static KeyRing fromEnvironment(Map<String, String> environment) {
    String text = environment.get(ENVIRONMENT_VARIABLE);
    return text == null ? null : KeyRing.parse(ENVIRONMENT_VARIABLE, text);
  }
}
