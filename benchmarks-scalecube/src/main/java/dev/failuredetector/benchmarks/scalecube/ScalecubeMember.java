package dev.failuredetector.benchmarks.scalecube;

import io.scalecube.cluster.Cluster;
import io.scalecube.cluster.ClusterImpl;
import io.scalecube.cluster.ClusterMessageHandler;
import io.scalecube.cluster.membership.MembershipEvent;
import io.scalecube.transport.netty.tcp.TcpTransportFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One scalecube-cluster member (SWIM with indirect pings and suspicion, over TCP) as a process,
 * printing what the benchmark harness reads, in the shape of our {@code node}'s lines: {@code
 * READY <alias> <port>}, {@code MEMBERS <n>} when the number of other members changes, and {@code
 * CLUSTER <nanoTime> <alias> ALIVE FAILED 0 0 <wall-clock>} when a member is removed (declared
 * dead after its suspicion timeout). Reads {@code quit} on stdin.
 *
 * <p>Arguments: alias, advertised host, port, seed {@code host:port} or {@code -}, ping interval
 * in ms (the ping timeout is half of it, gossip runs at the same interval).
 */
public final class ScalecubeMember {

  private ScalecubeMember() {}

  public static void main(String[] args) throws Exception {
    String alias = args[0];
    String host = args[1];
    int port = Integer.parseInt(args[2]);
    String seed = args[3];
    int pingInterval = Integer.parseInt(args[4]);
    Object lock = new Object();
    ClusterImpl builder = new ClusterImpl()
        .config(opts -> opts.memberAlias(alias).externalHost(host).externalPort(port))
        .transport(opts -> opts.port(port))
        .failureDetector(opts -> opts.pingInterval(pingInterval).pingTimeout(pingInterval / 2))
        .gossip(opts -> opts.gossipInterval(pingInterval))
        .transportFactory(TcpTransportFactory::new);
    if (!seed.equals("-")) {
      builder = builder.membership(opts -> opts.seedMembers(seed));
    }
    int[] others = new int[1];
    Cluster cluster = builder.handler(c -> new ClusterMessageHandler() {
      @Override
      public void onMembershipEvent(MembershipEvent event) {
        synchronized (lock) {
          if (event.isAdded()) {
            others[0]++;
            print("MEMBERS " + others[0]);
          } else if (event.isRemoved()) {
            others[0]--;
            print("CLUSTER " + System.nanoTime() + " " + event.member().alias()
                + " ALIVE FAILED 0 0 " + Instant.now());
            print("MEMBERS " + others[0]);
          }
        }
      }
    }).startAwait();
    print("READY " + alias + " " + port + " " + cluster.address());
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (line.trim().equals("quit")) {
        break;
      }
    }
    cluster.shutdown();
    System.exit(0);
  }

  private static void print(String line) {
    synchronized (System.out) {
      System.out.println(line);
      System.out.flush();
    }
  }
}
