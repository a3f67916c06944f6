package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The root package is the engine: its subpackages ({@code qos}, {@code micrometer}) build on it,
 * never the other way round. Read from the compiled classes' constant pools, so a fully qualified
 * name in code counts as much as an import (Javadoc does not: it is not compiled in).
 */
class PackageDependencyTest {

  private static final Pattern SUBPACKAGE = Pattern.compile("dev/failuredetector/[a-z]+/");

  @Test
  void theRootPackage_usesNoneOfItsSubpackages() throws IOException {
    Path classes = Path.of(FailureDetectorRegistry.class.getProtectionDomain().getCodeSource()
        .getLocation().getPath(), "dev", "failuredetector");
    List<String> offenders = new ArrayList<>();
    int checked = 0;
    try (Stream<Path> files = Files.list(classes)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        if (!file.toString().endsWith(".class")) {
          continue;
        }
        checked++;
        // Class names in the constant pool are stored as modified UTF-8: ISO-8859-1 keeps ASCII.
        String bytes = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
        Matcher matcher = SUBPACKAGE.matcher(bytes);
        while (matcher.find()) {
          offenders.add(file.getFileName() + " -> " + matcher.group());
        }
      }
    }
    assertThat(checked).as("root package classes read").isGreaterThan(30);
    assertThat(offenders).as("root classes that refer to a subpackage").isEmpty();
  }
}
