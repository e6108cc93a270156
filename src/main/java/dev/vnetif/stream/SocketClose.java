package dev.vnetif.stream;

import dev.vnetif.ReadResult;
import dev.vnetif.ShutdownMode;
import dev.vnetif.TcpFlow;
import dev.vnetif.TcpFlowStats;
import java.util.concurrent.CompletionStage;

/**
 * Closes a connection as a socket's {@code close()} does on Linux, which is what Pekko IO's {@code
 * Close} does and so what a Pekko Streams connection that stops reading and writing does: FIN, and
 * nobody reads any more. The peer learns that nobody reads from a RST: at once when data it sent is
 * still unread (RFC 2525 §2.17), else in answer to the next data it sends (Linux counts these as
 * TCPAbortOnData). A {@code TcpFlow} closed for reading would instead take that data and drop it,
 * and the peer would go on writing into the void.
 */
final class SocketClose {
  private SocketClose() {}

  /**
   * @param bytesTaken everything the closing side read from {@code flow}: what TCP received beyond
   *     it is unread
   * @param finSent whether a shutdown(WRITE) was already asked for
   * @param pendingRead a read in flight whose result nobody will take, or null
   */
  static void close(
      TcpFlow flow, long bytesTaken, boolean finSent, CompletionStage<ReadResult> pendingRead) {
    TcpFlowStats stats = flow.stats();
    if (stats != null && stats.bytesReceived() > bytesTaken) {
      flow.abort();
      return;
    }
    if (!finSent) {
      flow.shutdown(ShutdownMode.WRITE);
    }
    CompletionStage<ReadResult> next = pendingRead != null ? pendingRead : flow.read();
    next.whenComplete(
        (result, error) -> {
          if (result instanceof ReadResult.Data) {
            flow.abort();
          }
        });
  }
}
