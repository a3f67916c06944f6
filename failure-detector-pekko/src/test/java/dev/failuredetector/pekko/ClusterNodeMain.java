package dev.failuredetector.pekko;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;

/**
 * One Pekko Cluster node in its own JVM, for {@link PekkoClusterTest}: {@code ClusterNodeMain
 * <port> <seed-port> <detector-config>} joins the cluster on 127.0.0.1 (Artery TCP, no downing
 * provider) with {@code detector-config} (HOCON) merged into {@code
 * pekko.cluster.failure-detector}, and prints one line per cluster event: {@code READY <port>},
 * {@code UP <port> <nanoTime>}, {@code UNREACHABLE <port> <nanoTime>}, {@code REACHABLE <port>
 * <nanoTime>}, {@code REMOVED <port> <nanoTime>} (nanoTime is {@link System#nanoTime()}:
 * CLOCK_MONOTONIC, comparable between processes of one machine). Ends when stdin closes.
 */
public final class ClusterNodeMain {

  private ClusterNodeMain() {}

  /** Prints the cluster's member and reachability events. */
  static final class Events extends AbstractActor {
    @Override
    public void preStart() {
      Cluster.get(getContext().getSystem()).subscribe(getSelf(),
          ClusterEvent.initialStateAsEvents(), ClusterEvent.MemberEvent.class,
          ClusterEvent.ReachabilityEvent.class);
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(ClusterEvent.MemberUp.class, e -> print("UP", e.member().address().port()))
          .match(ClusterEvent.MemberRemoved.class,
              e -> print("REMOVED", e.member().address().port()))
          .match(ClusterEvent.UnreachableMember.class,
              e -> print("UNREACHABLE", e.member().address().port()))
          .match(ClusterEvent.ReachableMember.class,
              e -> print("REACHABLE", e.member().address().port()))
          .matchAny(e -> { })
          .build();
    }

    private static void print(String what, scala.Option<Object> port) {
      synchronized (System.out) {
        System.out.println(what + " " + port.get() + " " + System.nanoTime());
        System.out.flush();
      }
    }
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int seed = Integer.parseInt(args[1]);
    Config config = ConfigFactory.parseString(String.join("\n",
        "pekko.loglevel = WARNING",
        "pekko.stdout-loglevel = WARNING",
        "pekko.actor.provider = cluster",
        "pekko.remote.artery.canonical.hostname = 127.0.0.1",
        "pekko.remote.artery.canonical.port = " + port,
        "pekko.cluster.seed-nodes = [\"pekko://matrix@127.0.0.1:" + seed + "\"]",
        "pekko.cluster.jmx.enabled = off",
        "pekko.cluster.unreachable-nodes-reaper-interval = 200 ms",
        "pekko.coordinated-shutdown.exit-jvm = off",
        "pekko.cluster.failure-detector {", args[2], "}"))
        .withFallback(ConfigFactory.load());
    ActorSystem system = ActorSystem.create("matrix", config);
    system.actorOf(Props.create(Events.class), "events");
    synchronized (System.out) {
      System.out.println("READY " + port);
      System.out.flush();
    }
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    while (in.readLine() != null) {
      // nothing to do: the test drives this process with signals
    }
    system.terminate();
  }
}
