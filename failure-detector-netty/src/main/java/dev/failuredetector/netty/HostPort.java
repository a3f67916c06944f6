package dev.failuredetector.netty;

import java.net.InetSocketAddress;

/**
 * The {@code host:port} text of every address setting (the CLI's {@code --bind} and {@code
 * --peer}, the Spring Boot starter's {@code failure-detector.bind} and {@code peers.<id>}): one
 * rule and one error message for all of them.
 */
public final class HostPort {

  private HostPort() {}

  /**
   * Reads {@code host:port} (the host a name or an address, an IPv6 address in brackets or not:
   * the port follows the last colon, 0-65535); a name is resolved now, and one that does not
   * resolve gives an unresolved address (the node sends nothing to it).
   *
   * @param setting the setting's name as the user wrote it, for the error message
   * @param text the value
   * @throws IllegalArgumentException naming {@code setting} and {@code text} if it is not {@code
   *     host:port}
   */
  public static InetSocketAddress parse(String setting, String text) {
    InetSocketAddress unresolved = parseUnresolved(setting, text);
    return new InetSocketAddress(unresolved.getHostString(), unresolved.getPort());
  }

  /**
   * Like {@link #parse}, without resolving the host: for a name looked up later (a DNS name
   * whose records are the peers).
   *
   * @throws IllegalArgumentException naming {@code setting} and {@code text} if it is not {@code
   *     host:port}
   */
  public static InetSocketAddress parseUnresolved(String setting, String text) {
    int colon = text == null ? -1 : text.lastIndexOf(':');
    int port = colon < 1 ? -1 : port(text.substring(colon + 1));
    if (port < 0) {
      throw new IllegalArgumentException(setting + " must be host:port (port 0-65535), got "
          + text);
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return InetSocketAddress.createUnresolved(host, port);
  }

  private static int port(String text) {
    if (!text.matches("\\d{1,5}")) {
      return -1;
    }
    int port = Integer.parseInt(text);
    return port <= 65_535 ? port : -1;
  }
}
