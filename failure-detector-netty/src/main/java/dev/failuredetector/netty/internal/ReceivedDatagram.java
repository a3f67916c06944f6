package dev.failuredetector.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;
import java.net.InetSocketAddress;

/**
 * A datagram as {@link RecyclingDatagramChannel} delivers it: its bytes in one of the channel's
 * receive slots and its sender. The channel hands the same object out again once it
 * has been released, so a handler must not use it after releasing it (as Netty asks of every
 * message); one that keeps it unreleased only makes the channel read the next datagrams into
 * buffers of its allocator, each released with its message.
 *
 * <p>Event loop only, as every inbound message.
 */
public final class ReceivedDatagram extends AbstractReferenceCounted {

  private final ByteBuf content;
  private InetSocketAddress sender;
  /** Whether the content is this message's own buffer, released with it (not a slot). */
  private boolean owned;

  /**
   * A free slot.
   *
   * @param slot the slot's buffer; the channel owns it
   */
  ReceivedDatagram(ByteBuf slot) {
    this.content = slot;
    setRefCnt(0); // free until the channel fills it
  }

  /** A datagram in a buffer of its own, released with this message: no slot was free. */
  ReceivedDatagram(ByteBuf own, InetSocketAddress sender) {
    this.content = own;
    this.sender = sender;
    this.owned = true;
  }

  /** The datagram's bytes, readable from the reader index to the writer index. */
  public ByteBuf content() {
    return content;
  }

  /** Where the datagram came from. */
  public InetSocketAddress sender() {
    return sender;
  }

  /** Whether the channel may fill this slot again (its last datagram was released). */
  boolean isFree() {
    return refCnt() == 0;
  }

  /** Whether this is one of the channel's recycled slots (not a buffer of its own). */
  boolean isSlot() {
    return !owned;
  }

  /** Channel only: holds {@code length} bytes just received from {@code from}. */
  ReceivedDatagram fill(int length, InetSocketAddress from) {
    content.setIndex(0, length);
    sender = from;
    setRefCnt(1);
    return this;
  }

  @Override
  protected void deallocate() {
    if (owned) {
      content.release();
    } else {
      sender = null; // back to the channel; a slot's memory is the channel's for its whole life
    }
  }

  @Override
  public ReferenceCounted touch(Object hint) {
    return this;
  }

  @Override
  public String toString() {
    return "ReceivedDatagram[" + content.readableBytes() + " bytes from " + sender + "]";
  }
}
