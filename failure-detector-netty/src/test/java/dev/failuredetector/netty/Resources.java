package dev.failuredetector.netty;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test opened (nodes, sockets, servers, groups), closed in the reverse order by {@link
 * #close()}, which the test calls after each case. One test thread; not thread-safe.
 */
final class Resources implements AutoCloseable {

  private final List<AutoCloseable> opened = new ArrayList<>();

  /** Keeps {@code resource} to be closed; returns it. */
  <T extends AutoCloseable> T keep(T resource) {
    opened.add(resource);
    return resource;
  }

  @Override
  public void close() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
    opened.clear();
  }
}
