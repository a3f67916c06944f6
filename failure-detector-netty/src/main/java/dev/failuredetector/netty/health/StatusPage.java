package dev.failuredetector.netty.health;

import java.util.Locale;

/**
 * The status page an operator opens in a browser ({@code GET /}): every peer's state, reason,
 * phi, current timeout, time since its last heartbeat and routing weight, and the mass-ejection
 * status; rendered on the server (no script) and reloaded by the browser every 2 seconds. Peer
 * ids are escaped.
 */
final class StatusPage {

  private StatusPage() {}

  static String render(String title, HealthView.Peers peers) {
    return render(title, peers, java.util.OptionalInt.empty());
  }

  /** With the overlay: a column of the confirmed view, and this node's local health. */
  static String render(String title, HealthView.Peers peers, java.util.OptionalInt localHealth) {
    boolean cluster = peers.peers().stream().anyMatch(p -> p.cluster() != null);
    StringBuilder html = new StringBuilder(1024 + 256 * peers.peers().size());
    int up = 0;
    for (PeerHealth peer : peers.peers()) {
      up += peer.up() ? 1 : 0;
    }
    EjectionStatus ejection = peers.ejection();
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta http-equiv=\"refresh\" content=\"2\">")
        .append("<title>").append(escape(title)).append("</title><style>")
        .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}")
        .append("table{border-collapse:collapse}td,th{padding:.3em .8em;text-align:right;")
        .append("border-bottom:1px solid #ddd}td:first-child,th:first-child{text-align:left}")
        .append(".AVAILABLE{color:#1a7f37}.SUSPECTED{color:#b35900}.FAILED{color:#c62828}")
        .append(".UNKNOWN{color:#777}</style></head><body>\n")
        .append("<h1>").append(escape(title)).append("</h1>\n")
        .append("<p id=\"summary\">").append(up).append(" of ").append(peers.peers().size())
        .append(" peers up; ").append(ejection.suspected()).append(" suspected")
        .append(ejection.panic() ? "; <strong>mass-ejection guard: panic</strong>" : "")
        .append(ejection.holdingUp() ? " (holding suspected peers up)" : "")
        .append(localHealth.isPresent() ? "; local health " + localHealth.getAsInt()
            + " (0 healthy, up to 8: this node waits that many times 5 intervals longer before"
            + " accusing)" : "")
        .append(". Refreshes every 2 s.</p>\n")
        .append("<table id=\"peers\"><thead><tr><th>peer</th><th>state</th><th>reason</th>")
        .append("<th>phi</th><th>timeout (ms)</th><th>since heartbeat (ms)</th>")
        .append("<th>weight (%)</th>")
        .append(cluster ? "<th>cluster (accusers/needed)</th>" : "")
        .append("</tr></thead><tbody>\n");
    for (PeerHealth peer : peers.peers()) {
      html.append("<tr class=\"peer\" data-peer=\"").append(escape(peer.peer())).append("\">")
          .append("<td>").append(escape(peer.peer())).append("</td>")
          .append("<td class=\"").append(peer.state()).append("\">").append(peer.state())
          .append(peer.heldUp() ? " (held up)" : "").append("</td>")
          .append("<td>").append(peer.reason()).append("</td>")
          .append("<td>").append(peer.phi().isPresent()
              ? String.format(Locale.ROOT, "%.2f", peer.phi().getAsDouble()) : "-").append("</td>")
          .append("<td>").append(peer.timeoutNanos() / 1_000_000).append("</td>")
          .append("<td>").append(peer.nanosSinceLastHeartbeat() < 0 ? "-"
              : Long.toString(peer.nanosSinceLastHeartbeat() / 1_000_000)).append("</td>")
          .append("<td>").append(peer.weightPercent()).append("</td>");
      if (cluster) {
        html.append("<td class=\"cluster\">");
        if (peer.cluster() != null) {
          html.append(peer.cluster().state()).append(' ').append(peer.cluster().accusers())
              .append('/').append(peer.cluster().needed())
              .append(peer.unreachableFromHere() ? " (unreachable from here)" : "")
              .append(peer.observed() ? "" : " (observed by others)");
        }
        html.append("</td>");
      }
      html.append("</tr>\n");
    }
    return html.append("</tbody></table>\n<p>JSON: <a href=\"/peers\">/peers</a>, ")
        .append("<a href=\"/health\">/health</a>; probes: <a href=\"/ready\">/ready</a>, ")
        .append("<a href=\"/live\">/live</a>; <a href=\"/metrics\">/metrics</a>.</p>")
        .append("</body></html>\n").toString();
  }

  static String escape(String text) {
    StringBuilder escaped = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '<' -> escaped.append("&lt;");
        case '>' -> escaped.append("&gt;");
        case '&' -> escaped.append("&amp;");
        case '"' -> escaped.append("&quot;");
        case '\'' -> escaped.append("&#39;");
        default -> escaped.append(c);
      }
    }
    return escaped.toString();
  }
}
