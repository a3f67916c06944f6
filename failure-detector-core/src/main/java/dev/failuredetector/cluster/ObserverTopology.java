package dev.failuredetector.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Who watches whom: each member is observed by {@code k} others, chosen from the membership
 * alone, so that every node computes the same answer without talking (as Rapid's K rings).
 *
 * <p>Ring {@code r} orders the members by a 64-bit hash of their id salted with {@code r}. A
 * member's observers are its predecessors: on ring 0 the first one before it, on ring 1 the first
 * one before it not chosen already, and so on for {@code k} rings. Hashing makes the choice
 * look random (observers of one member are rarely close to each other in any other sense), and
 * consistent: when a member joins or leaves, only the members next to it on some ring change
 * observers, about {@code 2k} of them, whatever the size of the cluster. When {@code k >= size -
 * 1} every member observes every other (all-to-all, as without an overlay).
 *
 * <p>Members are numbered 0 to {@code size - 1} in the order of their ids (sorted as strings), the
 * index every array of the cluster package uses. Immutable and safe to share between threads;
 * building one costs O(k n log n).
 */
public final class ObserverTopology {

  /**
   * The most observers per member of an overlay ({@link ClusterNode} keeps accusations in a 64-bit
   * mask); a larger {@code k} is all-to-all.
   */
  public static final int MAX_OBSERVERS = 64;
  /** The most members: indices travel in the low 20 bits of a ring position. */
  public static final int MAX_MEMBERS = 1 << 20;

  private final String[] ids;
  private final Map<String, Integer> indexOf;
  private final int k;
  private final int[][] observers;
  private final int[][] subjects;

  private ObserverTopology(String[] ids, int k) {
    this.ids = ids;
    this.k = k;
    int n = ids.length;
    this.indexOf = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      indexOf.put(ids[i], i);
    }
    this.observers = new int[n][];
    if (k >= n - 1) {
      for (int s = 0; s < n; s++) {
        int[] all = new int[n - 1];
        for (int o = 0, j = 0; o < n; o++) {
          if (o != s) {
            all[j++] = o;
          }
        }
        observers[s] = all;
      }
    } else {
      chooseOnRings(n);
    }
    this.subjects = invert(observers, n);
  }

  /**
   * The topology of these members with {@code k} observers each.
   *
   * @param members the ids of every member, this node's included; duplicates count once
   * @param k observers per member, at least 1; all-to-all when at least {@code members - 1}
   * @throws IllegalArgumentException if {@code k} is below 1, above {@value #MAX_OBSERVERS} without
   *     being all-to-all, an id is empty, or there are more than {@value #MAX_MEMBERS} members
   */
  public static ObserverTopology of(Collection<String> members, int k) {
    Objects.requireNonNull(members, "members");
    if (k < 1) {
      throw new IllegalArgumentException("observers must be >= 1, got " + k);
    }
    TreeSet<String> sorted = new TreeSet<>();
    for (String id : members) {
      if (id == null || id.isEmpty()) {
        throw new IllegalArgumentException("member ids must not be empty, got '" + id + "'");
      }
      sorted.add(id);
    }
    if (k > MAX_OBSERVERS && k < sorted.size() - 1) {
      throw new IllegalArgumentException("observers must be at most " + MAX_OBSERVERS
          + " (or all-to-all: members - 1 = " + (sorted.size() - 1) + "), got " + k);
    }
    if (sorted.size() > MAX_MEMBERS) {
      throw new IllegalArgumentException(
          "members must be at most " + MAX_MEMBERS + ", got " + sorted.size());
    }
    return new ObserverTopology(sorted.toArray(new String[0]), k);
  }

  private void chooseOnRings(int n) {
    long[] idHash = new long[n];
    for (int i = 0; i < n; i++) {
      idHash[i] = fnv1a(ids[i]);
    }
    int[][] rings = new int[k][];
    for (int r = 0; r < k; r++) {
      long salt = mix(0x9E3779B97F4A7C15L * (r + 1));
      long[] keys = new long[n];
      for (int i = 0; i < n; i++) {
        // Position in the high bits, index in the low bits: one sort orders the ring.
        keys[i] = (mix(idHash[i] ^ salt) & ~0xFFFFFL) | i;
      }
      Arrays.sort(keys);
      int[] ring = new int[n];
      for (int p = 0; p < n; p++) {
        ring[p] = (int) (keys[p] & 0xFFFFFL);
      }
      rings[r] = ring;
    }
    int[][] positions = new int[k][n];
    for (int r = 0; r < k; r++) {
      for (int p = 0; p < n; p++) {
        positions[r][rings[r][p]] = p;
      }
    }
    for (int s = 0; s < n; s++) {
      int[] chosen = new int[k];
      for (int r = 0; r < k; r++) {
        int p = positions[r][s];
        int candidate;
        do { // the first predecessor on this ring that is neither s nor chosen on an earlier one
          p = p == 0 ? n - 1 : p - 1;
          candidate = rings[r][p];
        } while (candidate == s || contains(chosen, r, candidate));
        chosen[r] = candidate;
      }
      observers[s] = chosen;
    }
  }

  private static boolean contains(int[] values, int length, int value) {
    for (int i = 0; i < length; i++) {
      if (values[i] == value) {
        return true;
      }
    }
    return false;
  }

  private static int[][] invert(int[][] observers, int n) {
    int[] counts = new int[n];
    for (int[] of : observers) {
      for (int o : of) {
        counts[o]++;
      }
    }
    int[][] subjects = new int[n][];
    for (int o = 0; o < n; o++) {
      subjects[o] = new int[counts[o]];
      counts[o] = 0;
    }
    for (int s = 0; s < n; s++) {
      for (int o : observers[s]) {
        subjects[o][counts[o]++] = s;
      }
    }
    return subjects;
  }

  /** FNV-1a over the UTF-8 bytes: the same on every JVM (String.hashCode is, but 32 bits). */
  private static long fnv1a(String id) {
    long h = 0xcbf29ce484222325L;
    for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** SplitMix64's finalizer: every input bit moves every output bit. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** Number of members. */
  public int size() {
    return ids.length;
  }

  /** Observers per member as configured (a member has fewer when the cluster is smaller). */
  public int k() {
    return k;
  }

  /** The id of member {@code index}. */
  public String id(int index) {
    return ids[index];
  }

  /** The index of a member, or -1 if it is not one. */
  public int index(String id) {
    Integer index = indexOf.get(id);
    return index == null ? -1 : index;
  }

  /** Every member's id, in index order. */
  public List<String> members() {
    return List.of(ids);
  }

  /** The indices of the members that observe {@code subject} (a copy). */
  public int[] observers(int subject) {
    return observers[subject].clone();
  }

  /** The observers of {@code subject}, not copied: callers in this package must not write. */
  int[] observersArray(int subject) {
    return observers[subject];
  }

  /** The indices of the members {@code observer} observes (a copy). */
  public int[] subjects(int observer) {
    return subjects[observer].clone();
  }

  /** The index of {@code subject}'s observer in {@code slot} (0 to observerCount - 1). */
  public int observerAt(int subject, int slot) {
    return observers[subject][slot];
  }

  /** Number of observers of {@code subject}. */
  public int observerCount(int subject) {
    return observers[subject].length;
  }

  /**
   * The slot of {@code observer} among {@code subject}'s observers (0 to {@code
   * observerCount(subject) - 1}), or -1 if it does not observe it.
   */
  public int observerSlot(int subject, int observer) {
    int[] of = observers[subject];
    for (int i = 0; i < of.length; i++) {
      if (of[i] == observer) {
        return i;
      }
    }
    return -1;
  }

  /** The ids of the members that observe the member {@code id}; empty if it is not a member. */
  public List<String> observersOf(String id) {
    return ids(index(id), observers);
  }

  /** The ids of the members the member {@code id} observes; empty if it is not a member. */
  public List<String> subjectsOf(String id) {
    return ids(index(id), subjects);
  }

  private List<String> ids(int index, int[][] table) {
    if (index < 0) {
      return List.of();
    }
    List<String> out = new ArrayList<>(table[index].length);
    for (int i : table[index]) {
      out.add(ids[i]);
    }
    return out;
  }

  @Override
  public String toString() {
    return "ObserverTopology{members=" + ids.length + ", k=" + k + "}";
  }
}
