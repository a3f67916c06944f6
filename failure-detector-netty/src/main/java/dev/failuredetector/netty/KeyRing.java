package dev.failuredetector.netty;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * The HMAC-SHA256 keys a node uses: one current key (which it signs with) and previous keys it
 * still accepts, each with an id from 1 to 255 that travels in the message. Rotate by making a new
 * key current everywhere while the old one stays in the ring, then dropping the old one.
 * Immutable; safe to share. Keys are copied in and never exposed.
 */
public final class KeyRing {

  /** Shortest accepted key: 32 bytes, the HMAC-SHA256 block's worth of entropy. */
  public static final int MIN_KEY_BYTES = 32;

  private final int currentId;
  private final byte[][] keysById = new byte[256][];

  private KeyRing(int currentId) {
    this.currentId = currentId;
  }

  /**
   * A ring with one key, used to sign and accepted.
   *
   * @throws IllegalArgumentException if the id is not 1 to 255 or the key shorter than 32 bytes
   */
  public static KeyRing of(int id, byte[] key) {
    KeyRing ring = new KeyRing(checkId(id));
    ring.keysById[id] = checkKey(id, key);
    return ring;
  }

  /**
   * Returns a ring that signs with the new key and still accepts every key of this one.
   *
   * @throws IllegalArgumentException for a bad id or key, or an id already in the ring
   */
  public KeyRing rotateTo(int id, byte[] key) {
    checkId(id);
    if (keysById[id] != null) {
      throw new IllegalArgumentException("key id " + id + " is already in the ring");
    }
    KeyRing ring = new KeyRing(id);
    for (int i = 1; i < 256; i++) {
      ring.keysById[i] = keysById[i];
    }
    ring.keysById[id] = checkKey(id, key);
    return ring;
  }

  /**
   * Returns a ring without key {@code id} (no longer accepted).
   *
   * @throws IllegalArgumentException if it is the current key or not in the ring
   */
  public KeyRing without(int id) {
    if (id == currentId) {
      throw new IllegalArgumentException("cannot remove the current key " + id);
    }
    if (id < 1 || id > 255 || keysById[id] == null) {
      throw new IllegalArgumentException("key id " + id + " is not in the ring");
    }
    KeyRing ring = new KeyRing(currentId);
    for (int i = 1; i < 256; i++) {
      ring.keysById[i] = i == id ? null : keysById[i];
    }
    return ring;
  }

  /**
   * Reads a ring from text: one {@code keyId:hex} entry per line (or separated by {@code ;}), the
   * first the current key (signs and is accepted), the others accepted too (for rotation). Blank
   * lines and lines starting with {@code #} are skipped. Each key is at least 32 bytes (64 hex
   * digits).
   *
   * @param source where the text came from, for error messages (a file name, {@code FD_KEY})
   * @throws IllegalArgumentException naming the source and the entry (never the key) if the text
   *     is empty, an entry is not {@code id:hex}, an id is repeated or out of range, the hex is
   *     bad, or a key is too short
   */
  public static KeyRing parse(String source, String text) {
    Objects.requireNonNull(text, "text");
    Map<Integer, byte[]> keys = new java.util.LinkedHashMap<>(); // the first is current
    int entry = 0;
    for (String raw : text.split("[;\\n]")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      entry++;
      int colon = line.indexOf(':');
      if (colon < 1) {
        throw new IllegalArgumentException(source + ": entry " + entry
            + " is not keyId:hex (for example 1:" + "0f".repeat(4) + "...)");
      }
      int id;
      try {
        id = Integer.parseInt(line.substring(0, colon).strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(source + ": entry " + entry + " has key id '"
            + line.substring(0, colon).strip() + "', not a number from 1 to 255");
      }
      checkId(id);
      byte[] key;
      try {
        key = java.util.HexFormat.of().parseHex(line.substring(colon + 1).strip());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + ": key " + id + " is not hexadecimal");
      }
      if (keys.putIfAbsent(id, key) != null) {
        throw new IllegalArgumentException(source + ": key id " + id + " is given twice");
      }
      try {
        checkKey(id, key);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + ": " + e.getMessage() + " (" + 2 * MIN_KEY_BYTES
            + " hex digits)");
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(source + " has no key (one keyId:hex per line)");
    }
    KeyRing ring = new KeyRing(keys.keySet().iterator().next());
    for (Map.Entry<Integer, byte[]> key : keys.entrySet()) {
      ring.keysById[key.getKey()] = Arrays.copyOf(key.getValue(), key.getValue().length);
      Arrays.fill(key.getValue(), (byte) 0);
    }
    return ring;
  }

  /** The id of the key that signs. */
  public int currentId() {
    return currentId;
  }

  /** Whether key {@code id} is accepted. */
  public boolean accepts(int id) {
    return id >= 1 && id <= 255 && keysById[id] != null;
  }

  byte[] key(int id) {
    return keysById[id];
  }

  private static int checkId(int id) {
    if (id < 1 || id > 255) {
      throw new IllegalArgumentException("key id must be 1 to 255, got " + id);
    }
    return id;
  }

  private static byte[] checkKey(int id, byte[] key) {
    Objects.requireNonNull(key, "key");
    if (key.length < MIN_KEY_BYTES) {
      throw new IllegalArgumentException("key " + id + " must be at least " + MIN_KEY_BYTES
          + " bytes, got " + key.length);
    }
    return Arrays.copyOf(key, key.length);
  }

  @Override
  public String toString() {
    StringBuilder ids = new StringBuilder();
    for (int i = 1; i < 256; i++) {
      if (keysById[i] != null) {
        ids.append(ids.length() == 0 ? "" : ",").append(i);
      }
    }
    return "KeyRing[current=" + currentId + ", accepted=" + ids + "]"; // never the keys
  }
}
