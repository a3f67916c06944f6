package dev.failuredetector.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeySourceTest {

  private static final String HEX_A = "ab".repeat(32);
  private static final String HEX_B = "cd".repeat(32);

  @TempDir
  Path dir;

  @Test
  void parse_firstKeySigns_theOthersAreAccepted_commentsAndBlanksSkipped() {
    KeyRing ring = KeyRing.parse("test", "# cluster key\n\n7:" + HEX_A + "\n3:" + HEX_B + "\n");
    assertThat(ring.currentId()).isEqualTo(7);
    assertThat(ring.accepts(3)).isTrue();
    assertThat(ring.toString()).isEqualTo("KeyRing[current=7, accepted=3,7]"); // never the keys
    assertThat(KeyRing.parse("FD_KEY", "2:" + HEX_A + ";9:" + HEX_B).currentId()).isEqualTo(2);
  }

  @Test
  void parse_badText_namesTheSourceAndEntry_neverTheKey() {
    assertThatThrownBy(() -> KeyRing.parse("key file k", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key file k has no key (one keyId:hex per line)");
    assertThatThrownBy(() -> KeyRing.parse("key file k", HEX_A))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("key file k: entry 1 is not keyId:hex");
    assertThatThrownBy(() -> KeyRing.parse("FD_KEY", "x:" + HEX_A))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("FD_KEY: entry 1 has key id 'x', not a number from 1 to 255");
    assertThatThrownBy(() -> KeyRing.parse("FD_KEY", "300:" + HEX_A))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key id must be 1 to 255, got 300");
    assertThatThrownBy(() -> KeyRing.parse("FD_KEY", "1:zz" + HEX_A))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("FD_KEY: key 1 is not hexadecimal");
    assertThatThrownBy(() -> KeyRing.parse("FD_KEY", "1:abcd"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("FD_KEY: key 1 must be at least 32 bytes, got 2 (64 hex digits)");
    assertThatThrownBy(() -> KeyRing.parse("FD_KEY", "1:" + HEX_A + ";1:" + HEX_B))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("FD_KEY: key id 1 is given twice")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(HEX_A));
  }

  @Test
  void fromFile_missing_unreadableByOthers_readableByOthersWarns() throws Exception {
    assertThatThrownBy(() -> KeySource.fromFile(dir.resolve("none"), w -> { }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key file " + dir.resolve("none") + " does not exist");
    Path file = Files.writeString(dir.resolve("cluster.key"), "1:" + HEX_A + "\n");
    List<String> warnings = new ArrayList<>();
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertThat(KeySource.fromFile(file, warnings::add).currentId()).isEqualTo(1);
    assertThat(warnings).isEmpty();
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    KeySource.fromFile(file, warnings::add);
    assertThat(warnings).containsExactly("key file " + file
        + " is readable by other users: chmod 600 " + file);
  }

  @Test
  void fromEnvironment_readsFdKey_orNothing() {
    assertThat(KeySource.fromEnvironment(Map.of())).isNull();
    assertThat(KeySource.fromEnvironment(Map.of("FD_KEY", "4:" + HEX_A)).currentId())
        .isEqualTo(4);
  }
}
