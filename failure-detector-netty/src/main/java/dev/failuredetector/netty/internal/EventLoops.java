package dev.failuredetector.netty.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The event loop groups the library makes for itself: NIO, with named daemon threads. {@code
 * NioEventLoopGroup} is the one NIO group both Netty 4.1 and 4.2 have (4.2 prefers {@code
 * MultiThreadIoEventLoopGroup}, which 4.1 lacks: an application on Netty 4.1, such as one with
 * Spring Boot 3's BOM, would fail at start with {@code NoClassDefFoundError}).
 */
public final class EventLoops {

  private EventLoops() {}

  /** A group of one NIO event loop thread named {@code name}, a daemon. */
  @SuppressWarnings("deprecation") // deprecated in 4.2 only, in favour of a class 4.1 lacks
  public static EventLoopGroup nio(String name) {
    return new NioEventLoopGroup(1, new DefaultThreadFactory(name, true));
  }
}
