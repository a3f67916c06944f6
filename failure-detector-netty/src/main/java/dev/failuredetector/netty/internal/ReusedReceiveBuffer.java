package dev.failuredetector.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;
import java.nio.ByteBuffer;

/**
 * A datagram channel's receive allocator that reads every datagram into one buffer of the
 * channel's own, reused from read to read: no buffer, no NIO view of it and no leak-detector
 * record is made per datagram, which is where most of a received heartbeat's garbage came from
 * (Netty's pooled and adaptive buffers each make a fresh {@code ByteBuffer} slice per read).
 *
 * <p>The buffer is reused only once every message of the last read has been released (its
 * reference count is back to the allocator's own); a pipeline that keeps a message longer gets
 * its own buffer, and the channel a fresh one. Reads continue, up to the channel's messages per
 * read, until the socket has none left (Netty's default stops a NIO read after one datagram
 * shorter than the buffer).
 *
 * <p>One handle per channel, used on its event loop only, as Netty does.
 */
public final class ReusedReceiveBuffer extends FixedRecvByteBufAllocator {

  private final int capacity;

  /**
   * @param capacity bytes of the buffer: a datagram's largest size, times the number read per
   *     system call where the transport batches ({@code recvmmsg})
   */
  public ReusedReceiveBuffer(int capacity) {
    super(capacity);
    this.capacity = capacity;
    respectMaybeMoreData(false);
  }

  @Override
  public Handle newHandle() {
    return new ReusingHandle((ExtendedHandle) super.newHandle(), capacity);
  }

  /** Netty's fixed-size handle, except where the buffer comes from. */
  private static final class ReusingHandle extends RecvByteBufAllocator.DelegatingHandle
      implements RecvByteBufAllocator.ExtendedHandle {

    private final ExtendedHandle delegate;
    private final int capacity;
    private ByteBuf buffer;

    ReusingHandle(ExtendedHandle delegate, int capacity) {
      super(delegate);
      this.delegate = delegate;
      this.capacity = capacity;
    }

    @Override
    public ByteBuf allocate(ByteBufAllocator alloc) {
      if (buffer == null || buffer.refCnt() != 1) {
        if (buffer != null) {
          buffer.release(); // still held downstream: freed when that holder releases it
        }
        // A wrapped JDK buffer: Netty tracks no leak for it, and the JDK frees its memory when
        // the channel and this handle are gone.
        buffer = Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(capacity));
      }
      return buffer.clear().retain();
    }

    @Override
    public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
      return delegate.continueReading(maybeMoreDataSupplier);
    }
  }
}
