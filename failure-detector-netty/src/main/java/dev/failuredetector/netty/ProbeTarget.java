package dev.failuredetector.netty;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;

/**
 * Something a {@link HeartbeatNode} probes because it runs nothing that sends heartbeats: a
 * {@link HeartbeatNode} answering {@code udp://} pings, any TCP port, or an HTTP endpoint. Parsed
 * from a URL, checked at once; immutable.
 *
 * <ul>
 *   <li>{@code udp://HOST:PORT}: a PING in the authenticated wire format, answered with an ACK by
 *       any UDP {@link HeartbeatNode} that has the key (it need not list the prober).
 *   <li>{@code tcp://HOST:PORT}: a TCP connect; the answer is the handshake. A refused connection
 *       marks the target FAILED (CONNECTION_REFUSED) at once.
 *   <li>{@code http://HOST:PORT/PATH}: a GET on a kept-alive connection; a status in
 *       {@code [minStatus, maxStatus]} (200-399 unless the URL says otherwise with a fragment,
 *       {@code #status=200-204}) is the answer; any other status marks the target FAILED
 *       (UNHEALTHY) at once. HTTPS is not supported (a TLS handshake per check needs a trust
 *       configuration; probe the port with {@code tcp://} or a plain-HTTP health port).
 * </ul>
 *
 * The host is resolved when the target is made, once (so a DNS failure is an error of the
 * configuration, not a silent target): put a load balancer's name behind a {@code tcp://} only if
 * it keeps its address.
 *
 * @param kind how it is probed
 * @param address where, resolved
 * @param host the host as written (the HTTP {@code Host} header)
 * @param path the HTTP path with its query ({@code /} when none); empty for the other kinds
 * @param minStatus lowest HTTP status that counts as healthy (HTTP only; 0 otherwise)
 * @param maxStatus highest HTTP status that counts as healthy (HTTP only; 0 otherwise)
 */
public record ProbeTarget(Kind kind, InetSocketAddress address, String host, String path,
    int minStatus, int maxStatus) {

  /** How a target is probed. */
  public enum Kind {
    /** A PING answered with an ACK by a {@link HeartbeatNode}. */
    UDP,
    /** A TCP connect. */
    TCP,
    /** An HTTP/1.1 GET. */
    HTTP
  }

  /**
   * @throws IllegalArgumentException if a field is out of range
   */
  public ProbeTarget {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(path, "path");
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("probe target " + host + " is not resolved");
    }
    if (kind == Kind.HTTP) {
      if (minStatus < 100 || maxStatus > 599 || minStatus > maxStatus) {
        throw new IllegalArgumentException("probe status range must be within 100-599, got "
            + minStatus + "-" + maxStatus);
      }
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("probe path must start with /, got '" + path + "'");
      }
    }
  }

  /**
   * Parses {@code udp://HOST:PORT}, {@code tcp://HOST:PORT} or {@code
   * http://HOST[:PORT][/PATH][?QUERY][#status=LOW-HIGH]} (port 80 by default for HTTP).
   *
   * @throws IllegalArgumentException naming the URL and what is wrong with it
   */
  public static ProbeTarget parse(String url) {
    Objects.requireNonNull(url, "probe url");
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw invalid(url, e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    Kind kind = switch (scheme) {
      case "udp" -> Kind.UDP;
      case "tcp" -> Kind.TCP;
      case "http" -> Kind.HTTP;
      case "https" -> throw invalid(url, "https is not supported: probe the port with tcp://"
          + " or a plain-HTTP health port");
      default -> throw invalid(url, "the scheme must be udp, tcp or http");
    };
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw invalid(url, "no host (write " + scheme + "://HOST:PORT)");
    }
    if (uri.getUserInfo() != null) {
      throw invalid(url, "user information is not supported");
    }
    int port = uri.getPort();
    if (port == -1) {
      if (kind != Kind.HTTP) {
        throw invalid(url, "no port (write " + scheme + "://" + host + ":PORT)");
      }
      port = 80;
    }
    if (port < 1 || port > 65_535) {
      throw invalid(url, "the port must be 1 to 65535");
    }
    String path = "";
    int minStatus = 0;
    int maxStatus = 0;
    if (kind == Kind.HTTP) {
      path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      if (uri.getRawQuery() != null) {
        path += "?" + uri.getRawQuery();
      }
      minStatus = 200;
      maxStatus = 399;
      String fragment = uri.getFragment();
      if (fragment != null) {
        if (!fragment.matches("status=\\d{3}(-\\d{3})?")) {
          throw invalid(url, "the fragment may only be #status=LOW-HIGH (for example"
              + " #status=200-299), got #" + fragment);
        }
        String[] range = fragment.substring("status=".length()).split("-");
        minStatus = Integer.parseInt(range[0]);
        maxStatus = Integer.parseInt(range[range.length - 1]);
        if (minStatus < 100 || maxStatus > 599 || minStatus > maxStatus) {
          throw invalid(url, "the status range must be within 100-599, low to high");
        }
      }
    } else if ((uri.getRawPath() != null && !uri.getRawPath().isEmpty())
        || uri.getRawQuery() != null || uri.getFragment() != null) {
      throw invalid(url, "a " + scheme + " target has no path (write " + scheme + "://HOST:PORT)");
    }
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (address.isUnresolved()) {
      throw invalid(url, "cannot resolve " + host);
    }
    return new ProbeTarget(kind, address, host, path, minStatus, maxStatus);
  }

  private static IllegalArgumentException invalid(String url, String why) {
    return new IllegalArgumentException("probe URL '" + url + "': " + why);
  }

  /** Whether an HTTP status counts as healthy. */
  boolean healthy(int status) {
    return status >= minStatus && status <= maxStatus;
  }

  /** The URL, as {@link #parse} reads it. */
  @Override
  public String toString() {
    String hostPort = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    return switch (kind) {
      case UDP -> "udp://" + hostPort;
      case TCP -> "tcp://" + hostPort;
      case HTTP -> "http://" + hostPort + path
          + (minStatus == 200 && maxStatus == 399 ? "" : "#status=" + minStatus + "-" + maxStatus);
    };
  }
}
