package dev.failuredetector.netty.health;

import dev.failuredetector.netty.internal.ConnectionGuard;
import dev.failuredetector.netty.internal.EventLoops;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Serves a {@link HealthView} to load balancers and monitoring: HTTP endpoints ({@code GET
 * /health/{peer}} 200 or 503 with a JSON body, {@code /health}, {@code /peers}, {@code /metrics})
 * and HAProxy's agent-check protocol (answers {@code up NN%} or {@code down #why} for the peer
 * named by {@code agent-send}). Either listener may be left out, not both.
 *
 * <pre>{@code
 * HealthServer health = HealthServer.builder(HealthView.of(node.registry()))
 *     .http(new InetSocketAddress("0.0.0.0", 8080))
 *     .agent(new InetSocketAddress("0.0.0.0", 8081))
 *     .build().start();
 * }</pre>
 *
 * <p>The server has its own event-loop thread, so a slow or hostile client cannot delay the
 * heartbeats the node receives. Requests are bounded ({@code maxRequestBytes}; 414, 431 or 413
 * beyond), must arrive within {@code requestTimeout} (408 and closed after; the first one counted
 * from the accept), connections are bounded on each listener in all and per source address (the
 * longest idle is closed to admit a newcomer) and closed when no complete request came for the
 * idle timeout (trickled bytes do not count). Nothing is logged
 * per request; what was refused is counted ({@link #stats()}, exported by {@link
 * HealthServerMetrics}).
 * All methods are thread-safe.
 */
public final class HealthServer implements AutoCloseable {

  /** The largest request body accepted (and ignored): the endpoints read none. */
  private static final int MAX_BODY_BYTES = 1024;
  /** An agent-send line longer than this (a peer id is at most 64 bytes) is refused. */
  private static final int MAX_AGENT_LINE_BYTES = 256;

  private final HealthView view;
  private final InetSocketAddress httpBind;
  private final InetSocketAddress agentBind;
  private final int maxRequestBytes;
  private final long requestTimeoutNanos;
  private final long idleTimeoutNanos;
  private final long agentTimeoutNanos;
  private final Supplier<String> prometheusText;
  private final HealthCounters counters = new HealthCounters();
  private final ConnectionGuard httpConnections;
  private final ConnectionGuard agentConnections;
  private final HttpHealthHandler httpHandler;
  private final AgentCheckHandler agentHandler;
  private EventLoopGroup group;
  private volatile Channel httpChannel;
  private volatile Channel agentChannel;

  private HealthServer(Builder builder) {
    this.view = builder.view;
    this.httpBind = builder.httpBind;
    this.agentBind = builder.agentBind;
    this.maxRequestBytes = builder.maxRequestBytes;
    this.requestTimeoutNanos = builder.requestTimeoutNanos;
    this.idleTimeoutNanos = builder.idleTimeoutNanos;
    this.agentTimeoutNanos = builder.agentTimeoutNanos;
    // Each listener its own bounds, so idle agent sockets cannot starve the HTTP checks or back.
    this.httpConnections = ConnectionGuard.builder("health HTTP").unauthenticated()
        .maxConnections(builder.maxConnections).maxPerSource(builder.maxConnectionsPerSource)
        // Twice the request timeout: a request begun in time gets its 408 from RequestDeadline.
        .firstMessageDeadline(Duration.ofNanos(2 * requestTimeoutNanos))
        .idleTimeout(Duration.ofNanos(idleTimeoutNanos)).build();
    this.agentConnections = ConnectionGuard.builder("health agent").unauthenticated()
        .maxConnections(builder.maxConnections).maxPerSource(builder.maxConnectionsPerSource)
        .firstMessageDeadline(Duration.ofNanos(agentTimeoutNanos))
        .idleTimeout(Duration.ofNanos(agentTimeoutNanos)).build();
    // The server's own meters read the guards above: bound after them.
    this.prometheusText = builder.prometheusText != null ? builder.prometheusText
        : !PrometheusPresence.isAvailable() ? null
        : builder.metricsNode != null ? PrometheusText.of(builder.metricsNode, this)
        : PrometheusText.of(view.registry(), this);
    this.httpHandler = new HttpHealthHandler(view, prometheusText, counters, builder.name);
    this.agentHandler = new AgentCheckHandler(view, counters);
  }

  /** A builder serving {@code view}. */
  public static Builder builder(HealthView view) {
    return new Builder(view);
  }

  /**
   * Binds the listeners and starts serving.
   *
   * @return this
   * @throws IllegalStateException if already started or closed
   * @throws UncheckedIOException if a listener cannot bind (it says which address)
   */
  public synchronized HealthServer start() {
    if (group != null) {
      throw new IllegalStateException("the health server was already started");
    }
    group = EventLoops.nio("fd-health");
    try {
      if (httpBind != null) {
        httpChannel = bind(httpBind, new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            channel.pipeline().addLast(
                httpConnections.handler(),
                new RequestDeadline(requestTimeoutNanos, counters),
                new HttpServerCodec(new HttpDecoderConfig()
                    .setMaxInitialLineLength(maxRequestBytes)
                    .setMaxHeaderSize(maxRequestBytes)),
                new CountingAggregator(),
                httpHandler);
          }
        });
      }
      if (agentBind != null) {
        agentChannel = bind(agentBind, new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            channel.pipeline().addLast(
                agentConnections.handler(),
                new LineBasedFrameDecoder(MAX_AGENT_LINE_BYTES, true, true),
                agentHandler);
          }
        });
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    return this;
  }

  /** Counts the 413 answers the aggregator sends itself for a body over the limit. */
  private final class CountingAggregator extends HttpObjectAggregator {
    CountingAggregator() {
      super(MAX_BODY_BYTES);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized)
        throws Exception {
      counters.httpResponses.increment();
      counters.httpClientErrors.increment();
      super.handleOversizedMessage(ctx, oversized);
    }
  }

  private Channel bind(InetSocketAddress address, ChannelInitializer<SocketChannel> initializer) {
    ChannelFuture bound = new ServerBootstrap().group(group)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childHandler(initializer)
        .bind(address).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      throw new UncheckedIOException("cannot bind the health server to " + address + ": "
          + (bound.cause() == null ? "unknown cause" : bound.cause().getMessage()),
          bound.cause() instanceof IOException io ? io : new IOException(bound.cause()));
    }
    return bound.channel();
  }

  /** The bound HTTP address (its port when 0 was asked), or null if there is no HTTP listener. */
  public InetSocketAddress httpAddress() {
    Channel channel = httpChannel;
    return channel == null ? null : (InetSocketAddress) channel.localAddress();
  }

  /** The bound agent-check address, or null if there is no agent listener. */
  public InetSocketAddress agentAddress() {
    Channel channel = agentChannel;
    return channel == null ? null : (InetSocketAddress) channel.localAddress();
  }

  /** The view served. */
  public HealthView view() {
    return view;
  }

  /** Whether {@code GET /metrics} serves Prometheus text. */
  public boolean servesMetrics() {
    return prometheusText != null;
  }

  /** The server's counters now, as one snapshot (O(1)). */
  public HealthStats stats() {
    Map<HealthStats.Counter, Long> counts =
        new java.util.EnumMap<>(HealthStats.Counter.class);
    long slow = counters.slowClients.sum();
    counts.put(HealthStats.Counter.HTTP_RESPONSES, counters.httpResponses.sum() + slow);
    counts.put(HealthStats.Counter.CLIENT_ERRORS, counters.httpClientErrors.sum() + slow);
    counts.put(HealthStats.Counter.SLOW_CLIENTS, slow);
    counts.put(HealthStats.Counter.AGENT_ANSWERS, counters.agentAnswers.sum());
    counts.put(HealthStats.Counter.AGENT_BAD_REQUESTS, counters.agentBadRequests.sum());
    counts.put(HealthStats.Counter.CONNECTIONS_REJECTED, httpConnections.evictedAtCapacity()
        + httpConnections.evictedPerSource() + agentConnections.evictedAtCapacity()
        + agentConnections.evictedPerSource());
    counts.put(HealthStats.Counter.CONNECTIONS_TIMED_OUT, httpConnections.closedNoFirstMessage()
        + httpConnections.closedIdle() + agentConnections.closedNoFirstMessage()
        + agentConnections.closedIdle());
    counts.put(HealthStats.Counter.CONNECTION_ERRORS, counters.connectionErrors.sum());
    return new HealthStats(counts, httpConnections.open() + agentConnections.open());
  }

  /** Stops listening and closes every connection; idempotent. */
  @Override
  public synchronized void close() {
    if (group != null && !group.isShuttingDown()) {
      // Closing the listening sockets leaves the accepted ones open: close them too.
      group.next().submit(() -> {
        httpConnections.closeAll();
        agentConnections.closeAll();
      }).awaitUninterruptibly();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }

  /** Builds a {@link HealthServer}; not thread-safe. */
  public static final class Builder {
    private final HealthView view;
    private InetSocketAddress httpBind;
    private InetSocketAddress agentBind;
    private int maxRequestBytes = 8192;
    private long requestTimeoutNanos = Duration.ofSeconds(5).toNanos();
    private long idleTimeoutNanos = Duration.ofSeconds(60).toNanos();
    private long agentTimeoutNanos = Duration.ofSeconds(2).toNanos();
    private int maxConnections = 256;
    private int maxConnectionsPerSource = 64;
    private Supplier<String> prometheusText;
    private dev.failuredetector.netty.HeartbeatNode metricsNode;
    private String name;

    private Builder(HealthView view) {
      this.view = Objects.requireNonNull(view, "view must not be null");
    }

    /** Where the HTTP endpoints listen (port 0 for any free port); default none. */
    public Builder http(InetSocketAddress bind) {
      this.httpBind = Objects.requireNonNull(bind, "http must not be null");
      return this;
    }

    /** Where the HAProxy agent-check listener listens (port 0 for any); default none. */
    public Builder agent(InetSocketAddress bind) {
      this.agentBind = Objects.requireNonNull(bind, "agent must not be null");
      return this;
    }

    /**
     * The longest request line, and the most bytes of headers, accepted; default 8192. Beyond
     * them the answer is 414 or 431 and the connection is closed.
     *
     * @throws IllegalArgumentException unless between 256 and 65536
     */
    public Builder maxRequestBytes(int maxRequestBytes) {
      if (maxRequestBytes < 256 || maxRequestBytes > 65536) {
        throw new IllegalArgumentException(
            "maxRequestBytes must be between 256 and 65536, got " + maxRequestBytes);
      }
      this.maxRequestBytes = maxRequestBytes;
      return this;
    }

    /**
     * How long a client may take to send one whole request, from its first byte; default 5 s.
     * Slower clients get 408 and are disconnected.
     *
     * @throws IllegalArgumentException unless between 10 ms and 5 min
     */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeoutNanos = between("requestTimeout", timeout, Duration.ofMillis(10),
          Duration.ofMinutes(5));
      return this;
    }

    /**
     * How long an HTTP connection may stay open without receiving anything (between keep-alive
     * requests); default 60 s.
     *
     * @throws IllegalArgumentException unless between 100 ms and 1 h
     */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeoutNanos = between("idleTimeout", timeout, Duration.ofMillis(100),
          Duration.ofHours(1));
      return this;
    }

    /**
     * How long an agent-check connection may take to send its line; default 2 s. HAProxy sends
     * it at once; a connection that sends nothing (no {@code agent-send}) is closed after this.
     *
     * @throws IllegalArgumentException unless between 10 ms and 1 min
     */
    public Builder agentTimeout(Duration timeout) {
      this.agentTimeoutNanos = between("agentTimeout", timeout, Duration.ofMillis(10),
          Duration.ofMinutes(1));
      return this;
    }

    /**
     * Most connections open at once on each listener (HTTP and agent apart); default 256. At the
     * bound the connection idle the longest (no complete request for the longest time) is closed
     * to admit the newcomer, so idle sockets cannot lock a load balancer's checks out.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxConnections(int maxConnections) {
      if (maxConnections < 1) {
        throw new IllegalArgumentException("maxConnections must be at least 1, got " + maxConnections);
      }
      this.maxConnections = maxConnections;
      return this;
    }

    /**
     * Most connections open at once from one source address on each listener; beyond, that
     * source's longest idle one is closed; default 64 (a load balancer checks many peers of one
     * node from one address).
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxConnectionsPerSource(int maxConnectionsPerSource) {
      if (maxConnectionsPerSource < 1) {
        throw new IllegalArgumentException(
            "maxConnectionsPerSource must be at least 1, got " + maxConnectionsPerSource);
      }
      this.maxConnectionsPerSource = maxConnectionsPerSource;
      return this;
    }

    /**
     * The name the status page ({@code GET /}) is headed with, so an operator with several tabs
     * open can tell the nodes apart: the node's id ({@link #metricsOf} sets it when not set).
     *
     * @throws IllegalArgumentException if blank
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name must not be null");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = name;
      return this;
    }

    /**
     * Serves {@code GET /metrics} with {@code node}'s meters (transport, registry and per-peer,
     * each tagged {@code node=<id>}: what docs/grafana-dashboard.json and the alert rules read)
     * instead of the view's registry alone, and names the status page after the node. Needs
     * micrometer-registry-prometheus for the meters; without it {@code /metrics} says so (404),
     * as by default.
     */
    public Builder metricsOf(dev.failuredetector.netty.HeartbeatNode node) {
      Objects.requireNonNull(node, "node must not be null");
      if (name == null) {
        name = node.localId();
      }
      this.metricsNode = node;
      return this;
    }

    /**
     * The body of {@code GET /metrics}, for example {@code prometheusRegistry::scrape} of the
     * application's own registry. Default: if micrometer-registry-prometheus is on the classpath,
     * a registry of the server's own with the view's {@code FailureDetectorMetrics}; else /metrics
     * answers 404 saying so. Called on the server's thread for each scrape.
     */
    public Builder prometheusText(Supplier<String> scrape) {
      this.prometheusText = Objects.requireNonNull(scrape, "prometheusText must not be null");
      return this;
    }

    /**
     * Builds the server (not started).
     *
     * @throws IllegalStateException if neither {@code http} nor {@code agent} was set
     */
    public HealthServer build() {
      if (httpBind == null && agentBind == null) {
        throw new IllegalStateException("set http(address), agent(address) or both");
      }
      return new HealthServer(this);
    }

    private static long between(String setting, Duration value, Duration min, Duration max) {
      Objects.requireNonNull(value, () -> setting + " must not be null");
      if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
        throw new IllegalArgumentException(
            setting + " must be between " + min + " and " + max + ", got " + value);
      }
      return value.toNanos();
    }
  }
}
