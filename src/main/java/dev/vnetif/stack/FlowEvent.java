package dev.vnetif.stack;

import dev.vnetif.wire.Ipv4Address;
import java.net.InetSocketAddress;
import org.apache.pekko.util.ByteString;

/**
 * What a flow tells the handler that {@link FlowCommand.Register}ed with it — the typed counterpart
 * of Pekko IO's {@code Tcp.Event}s.
 */
public sealed interface FlowEvent {

  /**
   * Sent once on {@link FlowCommand.Register}: the connection is up between these ends. {@link
   * #remote()} and {@link #local()} give them as the public API's {@link InetSocketAddress}es (what
   * Pekko IO's {@code Tcp.Connected} carries).
   */
  record Connected(
      Ipv4Address remoteAddress, int remotePort, Ipv4Address localAddress, int localPort)
      implements FlowEvent {

    /** The peer's end, as {@link dev.vnetif.TcpFlow#dst()} gives it. */
    public InetSocketAddress remote() {
      return new InetSocketAddress(remoteAddress.toInet(), remotePort);
    }

    /** Our end, as {@link dev.vnetif.TcpFlow#src()} gives it. */
    public InetSocketAddress local() {
      return new InetSocketAddress(localAddress.toInet(), localPort);
    }
  }

  /** Bytes from the peer, in order. In pull mode, one per {@link FlowCommand.ResumeReading}. */
  record Received(ByteString data) implements FlowEvent {}

  /** The {@code ack} of a {@link FlowCommand.Write}: its bytes are in the send buffer. */
  record Ack(Object token) implements FlowEvent {}

  /** The peer sent FIN. Unless registered with keepOpenOnPeerClosed, we close too. */
  record PeerClosed() implements FlowEvent {}

  /** After {@link FlowCommand.Close}: our FIN went out after all written data. */
  record Closed() implements FlowEvent {}

  /** After {@link FlowCommand.ConfirmedClose}: both sides closed. */
  record ConfirmedClosed() implements FlowEvent {}

  /** After {@link FlowCommand.Abort}: a RST was sent. */
  record Aborted() implements FlowEvent {}

  /** The connection ended badly: reset by the peer, timed out, or the host went away. */
  record ErrorClosed(String cause) implements FlowEvent {}

  /** A command could not be carried out (for example a Write after Close). */
  record CommandFailed(FlowCommand command, String cause) implements FlowEvent {}

  FlowEvent PEER_CLOSED = new PeerClosed();
  FlowEvent CLOSED = new Closed();
  FlowEvent CONFIRMED_CLOSED = new ConfirmedClosed();
  FlowEvent ABORTED = new Aborted();
}
