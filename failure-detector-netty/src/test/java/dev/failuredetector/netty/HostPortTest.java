package dev.failuredetector.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class HostPortTest {

  @Test
  void parse_readsHostAndPort_andIpv6InBracketsOrNot() {
    InetSocketAddress address = HostPort.parse("--peer", "127.0.0.1:7946");
    assertThat(address.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    assertThat(address.getPort()).isEqualTo(7946);
    assertThat(HostPort.parse("x", "[::1]:80").getAddress().isLoopbackAddress()).isTrue();
    assertThat(HostPort.parse("x", "::1:80").getPort()).isEqualTo(80);
    assertThat(HostPort.parse("x", "127.0.0.1:0").getPort()).isZero();
  }

  @Test
  void parseUnresolved_leavesTheNameAlone() {
    InetSocketAddress name = HostPort.parseUnresolved("--peers-dns", "peers.internal:7946");
    assertThat(name.isUnresolved()).isTrue();
    assertThat(name.getHostString()).isEqualTo("peers.internal");
    assertThat(name.getPort()).isEqualTo(7946);
  }

  @Test
  void aValueThatIsNotHostPort_isRefused_namingTheSettingAndTheValue() {
    for (String bad : new String[] {"localhost", ":80", "host:", "host:65536", "host:-1",
        "host:8o", "host:123456"}) {
      assertThatThrownBy(() -> HostPort.parse("--bind", bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("--bind must be host:port (port 0-65535), got " + bad);
    }
    assertThatThrownBy(() -> HostPort.parse("--bind", null))
        .hasMessage("--bind must be host:port (port 0-65535), got null");
  }
}
