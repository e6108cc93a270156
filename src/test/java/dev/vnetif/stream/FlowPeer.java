package dev.vnetif.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.vnetif.ConnectionResetException;
import dev.vnetif.ReadResult;
import dev.vnetif.ShutdownMode;
import dev.vnetif.Stack;
import dev.vnetif.TcpFlow;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.pekko.util.ByteString;

/** A {@link Peer} on a virtual host's {@link TcpFlow}, every wait through the transport. */
final class FlowPeer implements Peer {
  /** Writes that {@link #expectReset} makes before it gives up. */
  private static final int RESET_PROBES = 20;

  private final VirtualTcpTransport transport;
  private final TcpFlow flow;
  private boolean outputShut;

  FlowPeer(VirtualTcpTransport transport, TcpFlow flow) {
    this.transport = transport;
    this.flow = flow;
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return flow.dst();
  }

  @Override
  public void write(ByteString data) {
    transport.await(flow.write(data));
  }

  @Override
  public void expect(ByteString expected) {
    ByteString got = ByteString.emptyByteString();
    while (got.size() < expected.size()) {
      ReadResult r = transport.await(flow.read());
      if (!(r instanceof ReadResult.Data data)) {
        throw new AssertionError(
            "end of stream after " + got.size() + " of " + expected.size() + " expected bytes");
      }
      got = got.concat(data.data());
    }
    assertEquals(expected, got);
  }

  @Override
  public void expectEof() {
    assertEquals(ReadResult.EOF, transport.await(flow.read()), "expected the end of the stream");
    assertFalse(
        transport.resetSeen(flow.dst(), flow.src()),
        "the client reset the connection instead of closing it");
  }

  /**
   * Writes that wait for their acknowledgement: a live connection acknowledges, one that was closed
   * answers with RST, and the write fails with the reset.
   */
  @Override
  public void expectReset(ByteString probe) {
    if (outputShut) { // after our FIN, only a read can show the reset
      assertInstanceOf(ConnectionResetException.class, transport.failure(flow.read()));
      transport.awaitReset(flow.dst(), flow.src()); // and it was a RST on the wire
      return;
    }
    for (int i = 0; i < RESET_PROBES; i++) {
      try {
        transport.await(flow.writeNodelay(probe));
      } catch (CompletionException e) {
        assertInstanceOf(ConnectionResetException.class, e.getCause());
        transport.awaitReset(flow.dst(), flow.src()); // and it was a RST on the wire
        return;
      }
    }
    throw new AssertionError(RESET_PROBES + " writes were acknowledged, none was reset");
  }

  @Override
  public void closeWrite() {
    transport.await(flow.shutdown(ShutdownMode.WRITE));
    outputShut = true;
  }

  @Override
  public void abort() {
    flow.abort();
  }

  @Override
  public void close() {
    flow.abort();
  }

  /** Binds an ephemeral port of the host with {@code Tcp.bind}. */
  static final class Server implements PeerServer {
    private final VirtualTcpTransport transport;
    private final Stack host;
    private final VirtualTcpTransport.Arrivals arrivals = new VirtualTcpTransport.Arrivals();
    private final int port;

    Server(VirtualTcpTransport transport, Stack host) {
      this.transport = transport;
      this.host = host;
      this.port =
          transport.await(
              host.tcp()
                  .bind(
                      0,
                      null,
                      flow -> {
                        arrivals.arrived(flow);
                        return CompletableFuture.completedFuture(null);
                      }));
    }

    @Override
    public InetSocketAddress address() {
      return new InetSocketAddress(host.address(), port);
    }

    @Override
    public Peer accept() {
      return new FlowPeer(transport, transport.await(arrivals.next()));
    }

    @Override
    public void close() {
      host.tcp().unlisten(port);
    }
  }
}
