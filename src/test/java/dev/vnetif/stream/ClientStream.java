package dev.vnetif.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * A connection flow run between a queue the test writes into and a queue it pulls from: the
 * stand-in for TcpSpec's TcpWriteProbe and TcpReadProbe. Completing, failing or cancelling the
 * queues is how a test closes the stream's write or read side.
 */
final class ClientStream {
  private final ContractTransport transport;
  private final SourceQueueWithComplete<ByteString> writer;
  private final SinkQueueWithCancel<ByteString> reader;
  private final CompletionStage<Tcp.OutgoingConnection> connection;

  private ClientStream(
      ContractTransport transport,
      SourceQueueWithComplete<ByteString> writer,
      SinkQueueWithCancel<ByteString> reader,
      CompletionStage<Tcp.OutgoingConnection> connection) {
    this.transport = transport;
    this.writer = writer;
    this.reader = reader;
    this.connection = connection;
  }

  static ClientStream run(
      ContractTransport transport,
      Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>> flow) {
    Pair<
            Pair<SourceQueueWithComplete<ByteString>, CompletionStage<Tcp.OutgoingConnection>>,
            SinkQueueWithCancel<ByteString>>
        running =
            Source.<ByteString>queue(16, OverflowStrategy.backpressure())
                .viaMat(flow, Keep.both())
                .toMat(Sink.queue(), Keep.both())
                .run(transport.system());
    return new ClientStream(
        transport, running.first().first(), running.second(), running.first().second());
  }

  CompletionStage<Tcp.OutgoingConnection> connection() {
    return connection;
  }

  void write(ByteString data) {
    assertEquals(QueueOfferResult.enqueued(), transport.await(writer.offer(data)));
  }

  /** Pulls until {@code expected.size()} bytes arrived; they must be exactly {@code expected}. */
  void expect(ByteString expected) {
    ByteString got = ByteString.emptyByteString();
    while (got.size() < expected.size()) {
      Optional<ByteString> next = transport.await(reader.pull());
      if (next.isEmpty()) {
        throw new AssertionError(
            "the stream completed after " + got.size() + " of " + expected.size() + " bytes");
      }
      got = got.concat(next.get());
    }
    assertEquals(expected, got);
  }

  /** The read side completes: the peer's FIN, with nothing before it. */
  void expectComplete() {
    Optional<ByteString> next = transport.await(reader.pull());
    assertEquals(Optional.empty(), next, "expected the read side to complete");
  }

  /** The read side fails; returns why. */
  Throwable expectError() {
    return transport.failure(reader.pull());
  }

  /** Downstream cancels: the stream's read side closes. */
  void cancelReading() {
    reader.cancel();
  }

  /** Upstream completes: the stream's write side closes. */
  void completeWriting() {
    writer.complete();
  }

  void failWriting(Throwable cause) {
    writer.fail(cause);
  }

  /** The connection cancelled the writer (its upstream). */
  void expectWriterCancelled() {
    assertEquals(Done.getInstance(), transport.await(writer.watchCompletion()));
  }
}
