package dev.vnetif.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import org.apache.pekko.util.ByteString;

/** A {@link Peer} on a plain blocking socket of the machine's TCP, every call with a timeout. */
final class SocketPeer implements Peer {
  /** How long one blocking call of the peer may take. */
  static final int TIMEOUT_MILLIS = 10_000;

  private final Socket socket;
  private boolean outputShut;

  SocketPeer(Socket socket) {
    this.socket = socket;
    try {
      socket.setSoTimeout(TIMEOUT_MILLIS);
      socket.setTcpNoDelay(true);
    } catch (SocketException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return (InetSocketAddress) socket.getRemoteSocketAddress();
  }

  @Override
  public void write(ByteString data) {
    try {
      socket.getOutputStream().write(data.toArray());
      socket.getOutputStream().flush();
    } catch (IOException e) {
      throw new AssertionError("the peer could not write " + data.size() + " bytes", e);
    }
  }

  @Override
  public void expect(ByteString expected) {
    byte[] buffer = new byte[expected.size()];
    int filled = 0;
    try {
      InputStream in = socket.getInputStream();
      while (filled < buffer.length) {
        int n = in.read(buffer, filled, buffer.length - filled);
        if (n < 0) {
          throw new AssertionError(
              "end of stream after " + filled + " of " + expected.size() + " expected bytes");
        }
        filled += n;
      }
    } catch (IOException e) {
      throw new AssertionError(
          "the peer failed after " + filled + " of " + expected.size() + " expected bytes", e);
    }
    assertEquals(expected, ByteString.fromArray(buffer));
  }

  @Override
  public void expectEof() {
    try {
      assertEquals(-1, socket.getInputStream().read(), "expected the end of the stream (FIN)");
    } catch (IOException e) {
      throw new AssertionError("expected the end of the stream (FIN), the read failed", e);
    }
  }

  @Override
  public void expectReset(ByteString probe) {
    long deadline = System.nanoTime() + TIMEOUT_MILLIS * 1_000_000L;
    byte[] sink = new byte[8192];
    try {
      socket.setSoTimeout(50);
      while (System.nanoTime() < deadline) {
        try {
          if (!outputShut) { // after our FIN, only a read can show the reset
            socket.getOutputStream().write(probe.toArray());
          }
        } catch (SocketException e) {
          assertResetMessage(e);
          return;
        }
        try {
          // A reset shows on a read too; a timeout only says it has not come yet, and an end of
          // stream is the FIN that a close sends before its RST.
          if (socket.getInputStream().read(sink) > 0) {
            throw new AssertionError("data arrived while a reset was expected");
          }
        } catch (SocketTimeoutException e) {
          // not yet
        } catch (SocketException e) {
          assertResetMessage(e);
          return;
        }
      }
    } catch (IOException e) {
      throw new AssertionError("expected a reset, got another failure", e);
    }
    throw new AssertionError("no reset within " + TIMEOUT_MILLIS + " ms of writing");
  }

  /** What Linux reports on a socket the other side reset: ECONNRESET, or EPIPE after it. */
  private static void assertResetMessage(SocketException e) {
    String message = String.valueOf(e.getMessage());
    if (!message.contains("reset") && !message.contains("Broken pipe")) {
      throw new AssertionError("expected a reset, got " + e, e);
    }
  }

  @Override
  public void closeWrite() {
    try {
      socket.shutdownOutput();
      outputShut = true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void abort() {
    try {
      socket.setSoLinger(true, 0); // close() then sends RST
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing is best effort at the end of a test
    }
  }

  /** Listens on 127.0.0.1 and an ephemeral port. */
  static final class Server implements PeerServer {
    private final ServerSocket listener;

    Server() {
      try {
        listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        listener.setSoTimeout(TIMEOUT_MILLIS);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public InetSocketAddress address() {
      return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    @Override
    public Peer accept() {
      try {
        return new SocketPeer(listener.accept());
      } catch (IOException e) {
        throw new AssertionError("no connection to accept within " + TIMEOUT_MILLIS + " ms", e);
      }
    }

    @Override
    public void close() {
      try {
        listener.close();
      } catch (IOException e) {
        // best effort
      }
    }
  }
}
