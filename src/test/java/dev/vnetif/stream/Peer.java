package dev.vnetif.stream;

import java.net.InetSocketAddress;
import org.apache.pekko.util.ByteString;

/**
 * The far end of a connection, driven step by step without streams, as Pekko's TcpSpec drives a
 * Pekko IO connection: what it sees tells whether the stream sent data, a FIN or a RST. Every wait
 * is bounded; a wrong observation is an {@link AssertionError}.
 */
interface Peer extends AutoCloseable {
  /** The client's address, as this end sees it. */
  InetSocketAddress remoteAddress();

  void write(ByteString data);

  /** Reads until {@code expected.size()} bytes arrived; they must be exactly {@code expected}. */
  void expect(ByteString expected);

  /** The next read is the end of the stream (the other side's FIN), and nothing reset it. */
  void expectEof();

  /**
   * Writes {@code probe} (again, if need be) until the connection reports a reset (RST): what a
   * writer sees from a socket that was closed or aborted on the other side.
   */
  void expectReset(ByteString probe);

  /** Sends FIN: no more writes, reading goes on. */
  void closeWrite();

  /** Sends RST. */
  void abort();

  @Override
  void close();
}
