package dev.failuredetector.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class HmacSha256Test {

  private static byte[] jdk(byte[] key, byte[] data, int offset, int length) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    mac.update(data, offset, length);
    return mac.doFinal();
  }

  @Test
  void everyTag_isTheJdksByteForByte_forKeysShorterAndLongerThanABlock_andRepeatedUse()
      throws Exception {
    SplittableRandom random = new SplittableRandom(7);
    for (int keyLength : new int[] {1, 16, 32, 63, 64, 65, 200}) {
      byte[] key = new byte[keyLength];
      random.nextBytes(key);
      HmacSha256 ours = new HmacSha256(key);
      for (int length : new int[] {0, 1, 55, 56, 64, 135, 1400}) {
        byte[] data = new byte[length + 10];
        random.nextBytes(data);
        byte[] out = new byte[HmacSha256.TAG_BYTES + 3];
        ours.tag(data, 5, length, out, 3); // at an offset, into an offset
        assertThat(Arrays.copyOfRange(out, 3, out.length)).as("key %d, data %d", keyLength, length)
            .isEqualTo(jdk(key, data, 5, length));
      }
    }
  }

  @Test
  void rfc4231TestCase2() {
    // RFC 4231, 4.3: key "Jefe", data "what do ya want for nothing?".
    HmacSha256 mac = new HmacSha256("Jefe".getBytes());
    byte[] data = "what do ya want for nothing?".getBytes();
    byte[] out = new byte[32];
    mac.tag(data, 0, data.length, out, 0);
    assertThat(java.util.HexFormat.of().formatHex(out))
        .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }
}
