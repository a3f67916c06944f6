package dev.failuredetector.spring.boot;

import dev.failuredetector.netty.HeartbeatNode;
import dev.failuredetector.netty.health.HealthServer;
import dev.failuredetector.netty.health.HealthView;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the application's node (and its own health server, when {@code failure-detector.http}
 * or {@code .agent} is set) when the context starts, and closes it when the context stops:
 * {@link HeartbeatNode#close()} sends GOODBYE, so the peers mark this node LEFT at once instead
 * of suspecting it after a timeout.
 *
 * <p>Phase {@link SmartLifecycle#DEFAULT_PHASE}: on shutdown it stops before the web server's
 * graceful shutdown (a lower phase), so peers and load balancers hear the goodbye first and stop
 * sending work while the requests in flight finish.
 */
final class FailureDetectorLifecycle implements SmartLifecycle {

  private static final Logger LOG = LoggerFactory.getLogger(FailureDetectorLifecycle.class);

  private final HeartbeatNode node;
  private final String bind;
  private final InetSocketAddress http;
  private final InetSocketAddress agent;
  private volatile HealthServer healthServer;
  private volatile boolean running;

  /** @param bind the bind setting as written, for the error when the node cannot listen */
  FailureDetectorLifecycle(HeartbeatNode node, String bind, InetSocketAddress http,
      InetSocketAddress agent) {
    this.node = node;
    this.bind = bind;
    this.http = http;
    this.agent = agent;
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    try {
      node.start();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the failure detector node", e);
    } catch (RuntimeException e) {
      // The port is taken or the address is not this host's: say which setting. Anything else
      // (a node closed by an earlier stop) is not about bind and goes up as it is.
      if (causedBySocket(e)) {
        throw new InvalidFailureDetectorPropertyException(FailureDetectorProperties.PREFIX
            + ".bind", bind, "cannot listen there: " + e, e);
      }
      throw e;
    }
    if (http != null || agent != null) {
      HealthServer.Builder health = HealthServer.builder(HealthView.of(node)).metricsOf(node);
      if (http != null) {
        health.http(http);
      }
      if (agent != null) {
        health.agent(agent);
      }
      try {
        healthServer = health.build().start();
      } catch (RuntimeException e) {
        node.close();
        throw e;
      }
    }
    running = true;
    LOG.info("failure detector node '{}' listening on {} ({}), watching {} peer(s) and {}"
        + " probe(s)", node.localId(), node.localAddress(), node.transport(),
        node.registry().snapshots().size() - node.probeStats().size(), node.probeStats().size());
  }

  private static boolean causedBySocket(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof java.net.SocketException) { // BindException among them
        return true;
      }
    }
    return false;
  }

  @Override
  public synchronized void stop() {
    if (!running) {
      return;
    }
    running = false;
    HealthServer health = healthServer;
    if (health != null) {
      health.close();
    }
    node.close(); // GOODBYE to every peer
    LOG.info("failure detector node '{}' closed (goodbye sent)", node.localId());
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** The node's own health server, or null when neither http nor agent is set. */
  HealthServer healthServer() {
    return healthServer;
  }
}
