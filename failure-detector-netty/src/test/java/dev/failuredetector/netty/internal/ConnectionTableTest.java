package dev.failuredetector.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class ConnectionTableTest {

  private static final long MS = 1_000_000;

  private static InetAddress source(int n) throws UnknownHostException {
    return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) n});
  }

  @Test
  void heartbeats_replayingConnectionsGiveWay_mostCrowdedSourceFirst_peersLast() throws Exception {
    ConnectionTable<String> table =
        new ConnectionTable<>(ConnectionTable.Proof.AUTHENTICATED, 250 * MS);
    long now = 0;
    table.add("b", source(1), now);
    table.progress("b", now); // honest peers: fresh frames
    table.add("c", source(1), now);
    table.progress("c", now);
    // Replaying connections: well-formed frames, never accepted, from two sources.
    table.add("x1", source(9), ++now);
    table.add("y1", source(8), ++now);
    table.add("y2", source(8), ++now);
    assertThat(table.victim(null, now)).as("the source with the most, its oldest").isEqualTo("y1");
    table.remove("y1");
    assertThat(table.victim(null, now)).as("a tie: the oldest").isEqualTo("x1");
    // A restarted peer reconnects from an address that made progress before: replays go first.
    table.add("d", source(1), ++now);
    table.remove("x1");
    assertThat(table.victim(null, now)).isEqualTo("y2");
    table.remove("y2");
    assertThat(table.victim(null, now)).as("then the peer still proving itself").isEqualTo("d");
    table.progress("d", now);
    now += 10 * MS;
    table.progress("b", now);
    table.progress("d", now);
    assertThat(table.victim(null, now)).as("last, the longest idle peer").isEqualTo("c");
    assertThat(table.victim(source(1), now)).isEqualTo("c");
    assertThat(table.victim(source(5), now)).isNull();
  }

  @Test
  void health_answeredIdleConnectionsGiveWay_beforeACheckThatHasNotSentYet() throws Exception {
    ConnectionTable<String> table =
        new ConnectionTable<>(ConnectionTable.Proof.UNAUTHENTICATED, 250 * MS);
    long now = 0;
    table.add("lb-earlier", source(1), now); // the load balancer's source was answered before
    table.progress("lb-earlier", now);
    table.remove("lb-earlier");
    // A flood of requests that complete, left open (keep-alive), from many sources.
    for (int i = 0; i < 5; i++) {
      table.add("flood" + i, source(10 + i), now);
      table.progress("flood" + i, now + i);
    }
    now += 5 * MS;
    table.add("lb", source(1), now); // the check connects; its request is not read yet
    table.add("flood-new", source(20), now);
    assertThat(table.victim(null, now)).as("the longest idle answered one").isEqualTo("flood0");
    for (int i = 0; i < 5; i++) {
      table.remove("flood" + i);
    }
    assertThat(table.victim(null, now)).as("a newcomer from a source never answered")
        .isEqualTo("flood-new");
    table.remove("flood-new");
    assertThat(table.victim(null, now)).isEqualTo("lb");
    // A connection that had its grace and sent nothing goes before anything else.
    table.add("slow", source(30), now);
    now += 300 * MS;
    table.add("flood9", source(19), now);
    table.progress("flood9", now);
    assertThat(table.victim(null, now)).isEqualTo("lb"); // lb is past its grace too: oldest slow
    table.progress("lb", now);
    assertThat(table.victim(null, now)).isEqualTo("slow");
  }

  @Test
  void expired_closesSilentNewcomersAndIdleConnections_andForgetsThem() throws Exception {
    ConnectionTable<String> table =
        new ConnectionTable<>(ConnectionTable.Proof.AUTHENTICATED, 250 * MS);
    table.add("silent", source(2), 0);
    table.add("peer", source(1), 0);
    table.progress("peer", 900 * MS);
    int[] never = new int[2];
    assertThat(table.expired(1_000 * MS, 1_000 * MS, 2_000 * MS,
        n -> never[n ? 0 : 1]++)).containsExactly("silent");
    assertThat(table.expired(2_900 * MS, 1_000 * MS, 2_000 * MS,
        n -> never[n ? 0 : 1]++)).containsExactly("peer");
    assertThat(never).containsExactly(1, 1);
    assertThat(table.size()).isZero();
    assertThat(table.fromSource(source(1))).isZero();
    assertThat(table.proven(source(1))).isTrue();
    assertThat(table.proven(source(2))).isFalse();
  }
}
