package dev.failuredetector.netty.health;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The path of a request target, split into percent-decoded segments, with everything that could
 * make a path mean something other than it says rejected: no {@code .} or {@code ..} segment, no
 * empty segment (no {@code //}), no slash, backslash or control character hidden in an escape, no
 * invalid escape or UTF-8, only origin-form targets ({@code /...}). The query string is ignored.
 *
 * <p>The endpoints serve no files, so "traversal" here means {@code /health/../metrics} or {@code
 * /health/a%2F..%2Fb} reaching a route or a peer id the client did not name: both are rejected.
 */
final class RequestPath {

  private RequestPath() {}

  /** Thrown for a target that is not a clean path; the message says why (sent to the client). */
  static final class BadPathException extends Exception {
    private static final long serialVersionUID = 1L;

    BadPathException(String message) {
      super(message, null, false, false);
    }
  }

  /** The segments of {@code target}'s path: "/" gives none, "/health/n1" gives [health, n1]. */
  static List<String> segments(String target) throws BadPathException {
    if (target.isEmpty() || target.charAt(0) != '/') {
      throw new BadPathException("the request target must be a path starting with /");
    }
    int end = target.length();
    int query = target.indexOf('?');
    int fragment = target.indexOf('#');
    if (query >= 0) {
      end = query;
    }
    if (fragment >= 0 && fragment < end) {
      end = fragment;
    }
    List<String> segments = new ArrayList<>(3);
    if (end == 1) {
      return segments;
    }
    int start = 1;
    while (start <= end) {
      int slash = target.indexOf('/', start);
      int segmentEnd = slash < 0 || slash > end ? end : slash;
      String segment = decode(target.substring(start, segmentEnd));
      if (segment.isEmpty() && segmentEnd == end && start == end) {
        break; // one trailing slash: "/peers/" is "/peers"
      }
      check(segment);
      segments.add(segment);
      start = segmentEnd + 1;
    }
    return segments;
  }

  private static void check(String segment) throws BadPathException {
    if (segment.isEmpty()) {
      throw new BadPathException("empty path segment");
    }
    if (segment.equals(".") || segment.equals("..")) {
      throw new BadPathException("dot segments are not allowed in the path");
    }
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f) {
        throw new BadPathException("slash, backslash or control character in a path segment");
      }
    }
  }

  private static String decode(String raw) throws BadPathException {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    ByteBuffer bytes = ByteBuffer.allocate(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c != '%') {
        if (c > 0x7f) {
          throw new BadPathException("non-ASCII character in the path (percent-encode it)");
        }
        bytes.put((byte) c);
        continue;
      }
      int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
      int low = high >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
      if (low < 0) {
        throw new BadPathException("invalid percent escape in the path");
      }
      bytes.put((byte) (high << 4 | low));
      i += 2;
    }
    bytes.flip();
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes).toString();
    } catch (CharacterCodingException e) {
      throw new BadPathException("percent escapes in the path are not valid UTF-8");
    }
  }
}
