package dev.failuredetector.netty.health;

import dev.failuredetector.netty.internal.ConnectionGuard;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Answers the HTTP health endpoints:
 *
 * <pre>
 * GET /health          200, a summary (peers, how many up, the mass-ejection status)
 * GET /health/{peer}   200 if the peer is up for routing, 503 if not, 404 if not registered
 * GET /peers           200, every peer
 * GET /metrics         200, Prometheus text, or 404 when there is no Prometheus registry
 * </pre>
 *
 * HEAD is answered like GET without a body; other methods get 405. A request the decoder could not
 * read gets 400 (414 for a too-long request line, 431 for too-large headers) and the connection is
 * closed. {@code GET /} is the status page; {@code /ready} and {@code /live} the Kubernetes probes.
 *
 * <p><b>In a Netty server of your own</b> (the {@link HealthServer} adds connection limits,
 * request deadlines and its own thread around the same handler):
 * <pre>{@code
 * pipeline.addLast(new HttpServerCodec(), new HttpObjectAggregator(1024),
 *     HttpHealthHandler.of(HealthView.of(node.registry())));
 * }</pre>
 * {@code @Sharable}: one instance serves every channel. It reads the registry on the channel's
 * event loop (no lock, a walk of the peers for {@code /health} and {@code /peers}) and holds no
 * per-connection state. Keep-alive is honoured.
 */
@ChannelHandler.Sharable
public final class HttpHealthHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private final HealthView view;
  private final Supplier<String> prometheusText;
  private final HealthCounters counters;
  private final String name;

  /**
   * A handler serving {@code view}, with {@code GET /metrics} 404 (saying what to add).
   *
   * @throws NullPointerException if {@code view} is null
   */
  public static HttpHealthHandler of(HealthView view) {
    return new HttpHealthHandler(Objects.requireNonNull(view, "view must not be null"), null,
        new HealthCounters(), null);
  }

  /**
   * A handler serving {@code view}, and {@code GET /metrics} from {@code prometheusText} (for
   * example {@code prometheusRegistry::scrape}).
   *
   * @throws NullPointerException if either is null
   */
  public static HttpHealthHandler of(HealthView view, Supplier<String> prometheusText) {
    return new HttpHealthHandler(Objects.requireNonNull(view, "view must not be null"),
        Objects.requireNonNull(prometheusText, "prometheusText must not be null"),
        new HealthCounters(), null);
  }

  /** {@code prometheusText} may be null: then /metrics is 404 with a message saying why. */
  HttpHealthHandler(HealthView view, Supplier<String> prometheusText, HealthCounters counters) {
    this(view, prometheusText, counters, null);
  }

  /** {@code name} (the node's id, may be null) heads the status page. */
  HttpHealthHandler(HealthView view, Supplier<String> prometheusText, HealthCounters counters,
      String name) {
    this.name = name;
    this.view = view;
    this.prometheusText = prometheusText;
    this.counters = counters;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (!ctx.channel().isActive()) {
      return; // the decoder's report of a request cut short by the close: nobody to answer
    }
    RequestDeadline deadline = ctx.pipeline().get(RequestDeadline.class);
    if (deadline != null) {
      deadline.requestComplete();
    }
    if (request.decoderResult().isSuccess()) {
      ConnectionGuard.progress(ctx.channel()); // a whole request: the connection is not idle
    }
    FullHttpResponse response;
    DecoderResult decoded = request.decoderResult();
    if (decoded.isFailure()) {
      response = undecodable(decoded.cause());
    } else if (request.protocolVersion().majorVersion() != 1) {
      response = HttpResponses.error(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
          "only HTTP/1.0 and HTTP/1.1 are served");
    } else if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
      response = HttpResponses.json(HttpResponseStatus.METHOD_NOT_ALLOWED, HealthJson.error(405,
          "method " + request.method() + " is not allowed: the health endpoints are read-only"));
      response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
    } else {
      response = route(request.uri());
    }
    send(ctx, request, response);
  }

  private FullHttpResponse route(String target) {
    List<String> path;
    try {
      path = RequestPath.segments(target);
    } catch (RequestPath.BadPathException e) {
      return HttpResponses.json(HttpResponseStatus.BAD_REQUEST, HealthJson.error(400, e.getMessage()));
    }
    if (path.isEmpty()) {
      return HttpResponses.of(HttpResponseStatus.OK, HttpResponses.HTML,
          StatusPage.render((name == null ? "failure-detector" : name + ": failure-detector")
              + ": " + view.registry().size() + " peers", view.peers(), view.localHealth()));
    }
    if (path.size() == 1 && path.get(0).equals("health")) {
      return HttpResponses.json(HttpResponseStatus.OK, HealthJson.summary(view.peers()));
    }
    if (path.size() == 2 && path.get(0).equals("health")) {
      return peer(path.get(1));
    }
    if (path.size() == 1 && path.get(0).equals("peers")) {
      return HttpResponses.json(HttpResponseStatus.OK, HealthJson.peers(view.peers()));
    }
    if (path.size() == 1 && path.get(0).equals("metrics")) {
      return metrics();
    }
    if (path.size() == 1 && path.get(0).equals("ready")) {
      HealthView.Readiness readiness = view.readiness();
      return HttpResponses.json(readiness.ready() ? HttpResponseStatus.OK
          : HttpResponseStatus.SERVICE_UNAVAILABLE, HealthJson.readiness(readiness));
    }
    if (path.size() == 1 && path.get(0).equals("live")) {
      HealthView.Liveness liveness = view.liveness();
      return HttpResponses.json(liveness.live() ? HttpResponseStatus.OK
          : HttpResponseStatus.SERVICE_UNAVAILABLE, HealthJson.liveness(liveness));
    }
    return HttpResponses.json(HttpResponseStatus.NOT_FOUND, HealthJson.error(404,
        "no such endpoint; try /, /health, /health/{peer}, /peers, /ready, /live or /metrics"));
  }

  private FullHttpResponse peer(String id) {
    Optional<PeerHealth> health = view.peer(id);
    if (health.isEmpty()) {
      return HttpResponses.json(HttpResponseStatus.NOT_FOUND,
          HealthJson.error(404, "unknown peer: " + id));
    }
    PeerHealth peer = health.get();
    return HttpResponses.json(
        peer.up() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
        HealthJson.peer(peer));
  }

  private FullHttpResponse metrics() {
    if (prometheusText == null) {
      String reason = PrometheusPresence.absenceReason(PrometheusPresence::isLoadable);
      return HttpResponses.json(HttpResponseStatus.NOT_FOUND, HealthJson.error(404,
          reason != null ? reason
              : "no Prometheus scrape: give HealthServer.Builder.prometheusText one"));
    }
    return HttpResponses.of(HttpResponseStatus.OK, HttpResponses.PROMETHEUS_TEXT,
        prometheusText.get());
  }

  private static FullHttpResponse undecodable(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return HttpResponses.error(HttpResponseStatus.REQUEST_URI_TOO_LONG,
          "the request line is too long");
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return HttpResponses.error(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
          "the request headers are too large");
    }
    if (cause instanceof TooLongFrameException) {
      return HttpResponses.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          "the request is too large");
    }
    return HttpResponses.error(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
  }

  private void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
    counters.httpResponses.increment();
    int status = response.status().code();
    if (status >= 400 && status < 500) {
      counters.httpClientErrors.increment();
    }
    boolean close = !HttpUtil.isKeepAlive(request) || !HttpUtil.isKeepAlive(response);
    if (close) {
      HttpUtil.setKeepAlive(response, false);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    } else {
      HttpUtil.setKeepAlive(response.headers(), request.protocolVersion(), true);
      ctx.writeAndFlush(response);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Idle timeout, reset by peer, a failure in a scrape: nothing to log per connection.
    counters.connectionErrors.increment();
    ctx.close();
  }
}
