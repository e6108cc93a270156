package dev.vnetif.stream;

import java.net.InetSocketAddress;

/** A listening {@link Peer}: accepts the connections a test's client stream makes. */
interface PeerServer extends AutoCloseable {
  InetSocketAddress address();

  /** The next connection, waiting a bounded time. */
  Peer accept();

  @Override
  void close();
}
