package dev.failuredetector.netty;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds a node's peers in DNS: the A records of one name (a Kubernetes headless service, say),
 * resolved every {@code refresh}; each address is a peer with id {@code <ip>:<port>} at that
 * address and port, added when its record appears and removed when it goes. For the ids to match,
 * every node of such a cluster uses its own {@code <ip>:<port>} as its id ({@code --id
 * $(POD_IP):7100}); a node skips its own record. Peers added any other way are left alone.
 *
 * <p>Resolution uses the JDK's DNS client (JNDI), against the system's resolvers or a given
 * server, on a thread of its own: never on the event loop. A failed lookup changes nothing (the
 * peers stay until a lookup succeeds without them) and is logged once until one succeeds again.
 */
public final class DnsPeerDiscovery implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DnsPeerDiscovery.class);

  private final HeartbeatNode node;
  private final String name;
  private final int port;
  private final String server;
  private final ScheduledExecutorService thread;
  private final Set<String> discovered = new HashSet<>();
  private final LongAdder failures = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private boolean failing;
  private boolean refusing;

  private DnsPeerDiscovery(HeartbeatNode node, String name, int port, String server,
      Duration refresh) {
    this.node = node;
    this.name = name;
    this.port = port;
    this.server = server;
    this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread t = new Thread(runnable, "fd-dns-" + name);
      t.setDaemon(true);
      return t;
    });
    thread.scheduleWithFixedDelay(this::refresh, 0, refresh.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Starts resolving {@code name} every {@code refresh}, adding and removing {@code node}'s peers
   * on port {@code port}.
   *
   * @param server a DNS server as {@code host:port} (e.g. {@code 127.0.0.1:5353}), or null for
   *     the system's resolvers
   * @throws IllegalArgumentException if the port is not 1 to 65535 or refresh not 100 ms to 1 h
   */
  public static DnsPeerDiscovery start(HeartbeatNode node, String name, int port, String server,
      Duration refresh) {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(refresh, "refresh");
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("peers-dns port must be 1 to 65535, got " + port);
    }
    if (refresh.compareTo(Duration.ofMillis(100)) < 0 || refresh.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("peers-dns refresh must be 100 ms to 1 h, got " + refresh);
    }
    return new DnsPeerDiscovery(node, name, port, server, refresh);
  }

  /** Lookups that failed (no answer, no such name, a timeout). */
  public long failures() {
    return failures.sum();
  }

  /**
   * Records the node refused to add as peers (its registry full at {@code maxPeers}, or the id
   * already a peer added otherwise), counted at every lookup that still finds them. Discovery goes
   * on: a refused record is tried again at the next lookup.
   */
  public long refused() {
    return refused.sum();
  }

  /** The peers this discovery added and has not removed, sorted. */
  public synchronized Set<String> peers() {
    return new TreeSet<>(discovered);
  }

  private void refresh() {
    Set<String> now;
    try {
      now = resolve();
    } catch (NamingException | RuntimeException e) {
      failures.increment();
      if (!failing) {
        failing = true;
        LOG.warn("Peer discovery: looking up {} failed ({}); the peers stay as they are until a"
            + " lookup succeeds", name, e.toString());
      }
      return;
    }
    failing = false;
    synchronized (this) {
      for (String gone : new HashSet<>(discovered)) {
        if (!now.contains(gone)) {
          node.removePeer(gone);
          discovered.remove(gone);
        }
      }
      boolean refusedNow = false;
      for (String ip : now) {
        if (!discovered.contains(ip)) {
          String host = ip.substring(0, ip.lastIndexOf(':'));
          try {
            node.addPeer(ip, new InetSocketAddress(host, port));
            discovered.add(ip);
          } catch (IllegalStateException | IllegalArgumentException e) {
            // A throw would end the scheduled lookups for good: count, warn once, go on.
            refused.increment();
            refusedNow = true;
            if (!refusing) {
              LOG.warn("Peer discovery: {} has a record the node does not take as a peer ({});"
                  + " it is tried again at each lookup", name, e.getMessage());
            }
          }
        }
      }
      refusing = refusedNow;
    }
  }

  /** The ids ({@code ip:port}) of the name's A records, this node's own left out. */
  private Set<String> resolve() throws NamingException {
    Hashtable<String, String> environment = new Hashtable<>();
    environment.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
    environment.put("java.naming.provider.url", server == null ? "dns:" : "dns://" + server);
    environment.put("com.sun.jndi.dns.timeout.initial", "1000");
    environment.put("com.sun.jndi.dns.timeout.retries", "2");
    DirContext dns = new InitialDirContext(environment);
    try {
      Set<String> ids = new TreeSet<>();
      Attributes attributes = dns.getAttributes(name, new String[] {"A"});
      Attribute records = attributes.get("A");
      if (records != null) {
        NamingEnumeration<?> values = records.getAll();
        while (values.hasMore()) {
          String id = values.next() + ":" + port;
          if (!id.equals(node.localId())) {
            ids.add(id);
          }
        }
      }
      return ids;
    } finally {
      dns.close();
    }
  }

  /** Stops resolving (the peers stay). */
  @Override
  public void close() {
    thread.shutdownNow();
  }
}
