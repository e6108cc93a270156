package dev.vnetif.link;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP socket of an external port: non-blocking, so the port's actor never waits on a send, with
 * a selector the port's receiver thread waits on. Closing closes the selector too, which wakes the
 * receiver and releases the address at once (a channel still registered with a selector keeps its
 * port bound until the selector lets go of it).
 */
public final class ExternalSocket implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ExternalSocket.class);

  private final DatagramChannel channel;
  private final Selector selector;

  private ExternalSocket(DatagramChannel channel, Selector selector) {
    this.channel = channel;
    this.selector = selector;
  }

  /**
   * Binds {@code local} with send and receive buffers of {@code bufferBytes} (the kernel caps them
   * at net.core.rmem_max / wmem_max; a cap is logged, as bursts may then be dropped).
   *
   * @throws IOException if the address cannot be bound or the socket set up; nothing is left open
   *     then
   */
  public static ExternalSocket open(InetSocketAddress local, int bufferBytes) throws IOException {
    DatagramChannel channel = DatagramChannel.open();
    Selector selector = null;
    try {
      channel.setOption(StandardSocketOptions.SO_RCVBUF, bufferBytes);
      channel.setOption(StandardSocketOptions.SO_SNDBUF, bufferBytes);
      channel.bind(local);
      channel.configureBlocking(false);
      selector = Selector.open();
      channel.register(selector, SelectionKey.OP_READ);
      int granted = channel.getOption(StandardSocketOptions.SO_RCVBUF);
      if (granted < bufferBytes) {
        log.warn(
            "external port {}: the kernel gave a {}-byte receive buffer of the {} asked "
                + "(raise net.core.rmem_max); bursts from outside may be dropped",
            channel.getLocalAddress(),
            granted,
            bufferBytes);
      }
      return new ExternalSocket(channel, selector);
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel, selector);
      throw e;
    }
  }

  public InetSocketAddress localAddress() throws IOException {
    return (InetSocketAddress) channel.getLocalAddress();
  }

  /** Sends one datagram; false when the socket's send buffer is full (the frame is lost). */
  boolean send(ByteBuffer datagram, InetSocketAddress remote) throws IOException {
    return channel.send(datagram, remote) > 0;
  }

  /** Blocks until a datagram may be read; throws ClosedSelectorException once closed. */
  void awaitReadable() throws IOException {
    selector.select();
    selector.selectedKeys().clear();
  }

  /** The next queued datagram into {@code buffer} and its sender, or null if none is queued. */
  SocketAddress receive(ByteBuffer buffer) throws IOException {
    return channel.receive(buffer);
  }

  boolean isOpen() {
    return channel.isOpen();
  }

  /** Closes the channel, then the selector: the receiver wakes and the port is free again. */
  @Override
  public void close() {
    closeQuietly(channel, selector);
  }

  private static void closeQuietly(DatagramChannel channel, Selector selector) {
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("closing an external port's channel failed", e);
    }
    if (selector != null) {
      try {
        selector.close();
      } catch (IOException e) {
        log.debug("closing an external port's selector failed", e);
      }
    }
  }
}
