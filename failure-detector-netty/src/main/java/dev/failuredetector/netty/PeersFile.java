package dev.failuredetector.netty;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a node's peers equal to a file's: one {@code ID=HOST:PORT} a line ({@code #} comments and
 * blank lines ignored; this node's own id, if listed, is skipped, so every member can read the
 * same file). The file is read at start and again when its content changes (checked every {@code
 * period}; a change is applied once it reads the same two periods running, so a file caught
 * mid-write is never applied): peers that appear are added, peers that disappear removed. A file that does not parse
 * changes nothing: the error is logged once per change (naming the line) and the peers stay as
 * they were, so a half-written file never empties a cluster.
 *
 * <p>Thread-safe; its own daemon thread reads the file.
 */
public final class PeersFile implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PeersFile.class);

  private final HeartbeatNode node;
  private final Path path;
  private final ScheduledExecutorService reader;
  private String lastContent;
  /** A changed content seen once, applied if the next read finds it unchanged; reader only. */
  private String pendingContent;
  private Map<String, InetSocketAddress> applied = Map.of();
  private long errors;

  private PeersFile(HeartbeatNode node, Path path) {
    this.node = node;
    this.path = path;
    this.reader = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "fd-peers-file-" + node.localId());
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Reads {@code path} into the node's peers now, then every {@code period}.
   *
   * @throws IllegalArgumentException if the file cannot be read or does not parse now (it names
   *     the line), or the period is not between 100 ms and 1 hour
   */
  public static PeersFile watch(HeartbeatNode node, Path path, Duration period) {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(path, "path");
    if (period.compareTo(Duration.ofMillis(100)) < 0 || period.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException(
          "peers-file period must be between 100 ms and 1 hour, got " + period);
    }
    PeersFile file = new PeersFile(node, path);
    String content = file.read();
    file.apply(content, parse(content, path, node.localId()));
    file.reader.scheduleWithFixedDelay(file::reload, period.toMillis(), period.toMillis(),
        TimeUnit.MILLISECONDS);
    return file;
  }

  /**
   * The peers a file's content names, without {@code self}.
   *
   * @throws IllegalArgumentException naming the file, the line and what is wrong
   */
  public static Map<String, InetSocketAddress> parse(String content, Path path, String self) {
    Map<String, InetSocketAddress> peers = new LinkedHashMap<>();
    List<String> lines = content.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int equals = line.indexOf('=');
      int colon = line.lastIndexOf(':');
      if (equals < 1 || colon < equals + 2 || colon == line.length() - 1) {
        throw new IllegalArgumentException(path + " line " + (i + 1)
            + ": expected ID=HOST:PORT, got '" + line + "'");
      }
      String id = line.substring(0, equals).strip();
      int port;
      try {
        port = Integer.parseInt(line.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(path + " line " + (i + 1)
            + ": port must be 1 to 65535, got '" + line.substring(colon + 1) + "'");
      }
      try {
        WireMessage.checkSenderId(id);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(path + " line " + (i + 1) + ": " + e.getMessage(), e);
      }
      if (peers.containsKey(id)) {
        throw new IllegalArgumentException(path + " line " + (i + 1) + ": " + id
            + " is listed twice");
      }
      if (!id.equals(self)) {
        String host = line.substring(equals + 1, colon).strip();
        if (host.startsWith("[") && host.endsWith("]")) {
          host = host.substring(1, host.length() - 1);
        }
        peers.put(id, new InetSocketAddress(host, port));
      }
    }
    return peers;
  }

  private String read() {
    try {
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the peers file " + path + ": " + e, e);
    }
  }

  private void reload() {
    String content;
    try {
      content = read();
    } catch (RuntimeException e) {
      content = null;
    }
    if (Objects.equals(content, lastContent)) {
      pendingContent = null;
      return;
    }
    if (!Objects.equals(content, pendingContent)) {
      // Changed since the last look: apply it only once it reads the same a period later. A
      // writer that truncates then writes (Files.writeString, most editors) is otherwise caught
      // in between, and an empty file is a valid one: every peer would be removed.
      pendingContent = content;
      return;
    }
    pendingContent = null;
    try {
      if (content == null) {
        read(); // throws, naming the cause
      }
      apply(content, parse(content, path, node.localId()));
    } catch (RuntimeException e) {
      errors++;
      LOG.warn("Peers file not applied, the peers stay as they were: {}", e.getMessage());
      lastContent = content; // warned once for this content
    }
  }

  private synchronized void apply(String content, Map<String, InetSocketAddress> peers) {
    for (String gone : applied.keySet()) {
      if (!peers.containsKey(gone)) {
        node.removePeer(gone);
      }
    }
    for (Map.Entry<String, InetSocketAddress> e : peers.entrySet()) {
      InetSocketAddress was = applied.get(e.getKey());
      if (was != null && !was.equals(e.getValue())) {
        node.removePeer(e.getKey()); // moved: a new address is a new peer
      }
      node.addPeer(e.getKey(), e.getValue());
    }
    applied = Map.copyOf(peers);
    lastContent = content;
  }

  /** The peers last applied from the file. */
  public synchronized Set<String> peers() {
    return applied.keySet();
  }

  /** Versions of the file that did not parse (each left the peers as they were). */
  public synchronized long errors() {
    return errors;
  }

  /** Stops watching (the node keeps its peers). */
  @Override
  public void close() {
    reader.shutdownNow();
  }
}
