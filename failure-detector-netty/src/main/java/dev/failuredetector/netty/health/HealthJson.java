package dev.failuredetector.netty.health;

import java.util.Locale;

/**
 * The JSON bodies of the HTTP health endpoints, written by hand (one flat shape, no dependency).
 * Times are milliseconds with microsecond precision; a value not known is {@code null}.
 */
final class HealthJson {

  private HealthJson() {}

  /** One peer, with the guard's panic flag its verdict was made under. */
  static String peer(PeerHealth health) {
    StringBuilder json = new StringBuilder(320);
    appendFields(json, health);
    return json.append(",\"panic\":").append(health.panic()).append('}').toString();
  }

  static String peers(HealthView.Peers peers) {
    StringBuilder json = new StringBuilder(64 + 300 * peers.peers().size());
    json.append("{\"ejection\":");
    appendEjection(json, peers.ejection());
    json.append(",\"peers\":[");
    for (PeerHealth health : peers.peers()) {
      appendFields(json, health);
      json.append("},");
    }
    if (!peers.peers().isEmpty()) {
      json.setLength(json.length() - 1);
    }
    return json.append("]}").toString();
  }

  static String summary(HealthView.Peers peers) {
    int up = 0;
    for (PeerHealth health : peers.peers()) {
      up += health.up() ? 1 : 0;
    }
    StringBuilder json = new StringBuilder(160);
    json.append("{\"status\":\"serving\",\"peers\":").append(peers.peers().size())
        .append(",\"up\":").append(up).append(",\"ejection\":");
    appendEjection(json, peers.ejection());
    return json.append('}').toString();
  }

  static String readiness(HealthView.Readiness r) {
    return "{\"ready\":" + r.ready() + ",\"available\":" + r.available() + ",\"peers\":"
        + r.peers() + ",\"requiredShare\":" + r.requiredShare() + "}";
  }

  static String liveness(HealthView.Liveness l) {
    return "{\"live\":" + l.live() + ",\"sinceLastTickMs\":" + l.nanosSinceLastTick() / 1_000_000
        + ",\"timeoutMs\":" + l.timeoutNanos() / 1_000_000 + "}";
  }

  static String error(int status, String message) {
    StringBuilder json = new StringBuilder(64 + message.length());
    json.append("{\"status\":").append(status).append(",\"error\":");
    appendString(json, message);
    return json.append('}').toString();
  }

  /** A peer's object without its closing brace (one answer adds a field). */
  private static void appendFields(StringBuilder json, PeerHealth h) {
    json.append("{\"peer\":");
    appendString(json, h.peer());
    json.append(",\"state\":\"").append(h.state()).append('"')
        .append(",\"reason\":\"").append(h.reason()).append('"')
        .append(",\"available\":").append(h.available())
        .append(",\"up\":").append(h.up())
        .append(",\"heldUp\":").append(h.heldUp())
        .append(",\"weightPercent\":").append(h.weightPercent())
        .append(",\"phi\":");
    appendNumber(json, h.phi().isPresent() ? h.phi().getAsDouble() : Double.NaN);
    json.append(",\"sinceLastHeartbeatMs\":");
    appendMillis(json, h.nanosSinceLastHeartbeat());
    json.append(",\"timeoutMs\":");
    appendMillis(json, h.timeoutNanos());
    json.append(",\"inStateMs\":");
    appendMillis(json, h.nanosInState());
    if (h.cluster() != null) {
      // The overlay: this node's own view above, the cluster's confirmed one here.
      json.append(",\"observed\":").append(h.observed())
          .append(",\"unreachableFromHere\":").append(h.unreachableFromHere())
          .append(",\"cluster\":{\"state\":\"").append(h.cluster().state())
          .append("\",\"incarnation\":").append(h.cluster().incarnation())
          .append(",\"accusers\":").append(h.cluster().accusers())
          .append(",\"needed\":").append(h.cluster().needed())
          .append(",\"observers\":").append(h.cluster().observers()).append('}');
    }
    if (!h.shadow().isEmpty()) {
      // What each shadow candidate would have done on this peer's arrivals.
      json.append(",\"shadow\":[");
      for (dev.failuredetector.qos.ShadowResult r : h.shadow()) {
        json.append("{\"candidate\":");
        appendString(json, r.candidate().toString());
        json.append(",\"heartbeats\":").append(r.heartbeats())
            .append(",\"mistakes\":").append(r.mistakes())
            .append(",\"meanDetectionMs\":");
        appendNumber(json, r.meanDetectionNanos() / 1e6);
        json.append("},");
      }
      json.setLength(json.length() - 1);
      json.append(']');
    }
  }

  private static void appendEjection(StringBuilder json, EjectionStatus e) {
    json.append("{\"suspected\":").append(e.suspected())
        .append(",\"peers\":").append(e.peers())
        .append(",\"panic\":").append(e.panic())
        .append(",\"holdingUp\":").append(e.holdingUp()).append('}');
  }

  /** Milliseconds, or null for a negative (unknown) or unbounded time. */
  private static void appendMillis(StringBuilder json, long nanos) {
    appendNumber(json, nanos < 0 || nanos == Long.MAX_VALUE ? Double.NaN : nanos / 1e6);
  }

  /** JSON has no NaN or infinity: those are written as null. */
  private static void appendNumber(StringBuilder json, double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      json.append("null");
    } else {
      json.append(String.format(Locale.ROOT, "%.3f", value));
    }
  }

  static void appendString(StringBuilder json, String value) {
    json.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    json.append('"');
  }
}
