package dev.vnetif.cli;

import dev.vnetif.Stack;
import dev.vnetif.stream.VirtualTcp;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * The two calls of Pekko Streams TCP that the Streams bench makes, a server bound on one host and
 * connections to it from another: the one seam between Pekko's {@link Tcp} on 127.0.0.1 and {@link
 * VirtualTcp} on the virtual network, so that both run the identical Streams code. Both calls take
 * Pekko's defaults (backlog 100, server half-close off, client half-close on, no timeouts).
 *
 * @param serverHost the server's address, as the server binds it and the client connects to it
 * @param clientHost the client's address, for the report
 * @param binder {@code bind(serverHost, port)}; port 0 picks a free one
 * @param connector {@code outgoingConnection(serverHost, port)} from the client's host
 * @param roomCheck refuses, before any is opened, more connections held at once than the transport
 *     can hold, with a {@link BenchFailure}
 */
record StreamsTcp(
    String serverHost,
    String clientHost,
    IntFunction<Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>>> binder,
    IntFunction<Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>>> connector,
    IntConsumer roomCheck) {

  /** Pekko's {@link Tcp}: both ends in this JVM, through the kernel's loopback. */
  static StreamsTcp loopback(ActorSystem<?> system) {
    Tcp tcp = Tcp.get(system);
    String host = "127.0.0.1";
    return new StreamsTcp(
        host,
        host,
        port -> tcp.bind(host, port),
        port -> tcp.outgoingConnection(host, port),
        // Two sockets a connection: the client's and the accepted one.
        connections -> FileDescriptors.checkRoomFor(connections, 2));
  }

  /**
   * {@link VirtualTcp}: the server bound on {@code server}, connections made from {@code client}.
   */
  static StreamsTcp virtual(Stack client, Stack server) {
    VirtualTcp clientTcp = VirtualTcp.get(client);
    VirtualTcp serverTcp = VirtualTcp.get(server);
    String host = server.address().getHostAddress();
    return new StreamsTcp(
        host,
        client.address().getHostAddress(),
        port -> serverTcp.bind(host, port),
        port -> clientTcp.outgoingConnection(host, port),
        StreamsTcp::checkEphemeralPorts);
  }

  Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> bind(int port) {
    return binder.apply(port);
  }

  Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>> outgoingConnection(
      int port) {
    return connector.apply(port);
  }

  /**
   * @throws BenchFailure when {@code connections} would not fit
   */
  void checkRoomFor(int connections) {
    roomCheck.accept(connections);
  }

  /**
   * A virtual connection takes no socket (it is heap, which the memory workload checks itself), but
   * one client host has 16,384 ephemeral ports to one server port and picks them at random.
   */
  private static void checkEphemeralPorts(int connections) {
    int most = BenchVirtualTransport.HELD_PER_PORT;
    if (connections > most) {
      throw new BenchFailure(
          String.format(
              Locale.ROOT,
              "%,d connections from one client host to one server port: at most %,d (of its"
                  + " 16,384 ephemeral ports)",
              connections,
              most),
          null,
          String.format(Locale.ROOT, "at most %,d to one port", most));
    }
  }
}
