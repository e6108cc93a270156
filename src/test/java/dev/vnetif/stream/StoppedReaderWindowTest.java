package dev.vnetif.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.Stack;
import dev.vnetif.TcpFlowStats;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.tcp.TcpState;
import dev.vnetif.testkit.VnetifTest;
import dev.vnetif.time.VirtualTime;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Backpressure to the end: a Streams reader that stops pulling leaves the data in its connection,
 * whose receive buffer fills and whose window reaches zero, as {@code VirtualTcp.stats} shows on
 * both ends. The last sliver of the window (less than a segment) is filled by the writer's
 * sender-side SWS override (RFC 1122 §4.2.3.4: send what fits once the persist timer runs out),
 * after which the writer only probes the zero window (RFC 9293 §3.8.6.1) and the connection stays
 * up. In virtual time, so the five seconds and the minute of probing cost nothing.
 */
@VnetifTest(virtualTime = true, seed = 3)
@Timeout(60)
class StoppedReaderWindowTest {
  static final Duration LIMIT = Duration.ofMinutes(1);

  /** {@code vnetif.tcp.receive-buffer}'s default, 256 KiB. */
  static final long RECEIVE_BUFFER = 256 * 1024;

  @Test
  void aReaderThatStopsClosesTheWindowToZero(
      VirtualNetwork net, VirtualTime time, ActorSystem<?> system) {
    Stack server = time.await(net.createStack("10.0.0.3/24"), LIMIT);
    Stack client = time.await(net.createStack("10.0.0.2/24"), LIMIT);
    CompletableFuture<Tcp.IncomingConnection> accepted = new CompletableFuture<>();
    Tcp.ServerBinding binding =
        time.await(
            VirtualTcp.get(server)
                .bind("10.0.0.3", 9)
                .to(
                    Sink.foreach(
                        c -> {
                          // A reader that never pulls.
                          c.handleWith(
                              Flow.fromSinkAndSource(Sink.never(), Source.never()), system);
                          accepted.complete(c);
                        }))
                .run(system),
            LIMIT);
    ByteString chunk = ByteString.fromArray(new byte[16 * 1024]);
    Pair<CompletionStage<Tcp.OutgoingConnection>, CompletionStage<org.apache.pekko.Done>> writer =
        Source.repeat(chunk)
            .viaMat(VirtualTcp.get(client).outgoingConnection("10.0.0.3", 9), Keep.right())
            .toMat(Sink.ignore(), Keep.both())
            .run(system);
    Tcp.OutgoingConnection outgoing = time.await(writer.first(), LIMIT);
    Tcp.IncomingConnection incoming = time.await(accepted, LIMIT);
    time.advance(Duration.ofSeconds(5));
    TcpFlowStats reader = VirtualTcp.stats(incoming).orElseThrow();
    TcpFlowStats writerStats = VirtualTcp.stats(outgoing).orElseThrow();
    assertEquals(0, reader.receiveWindow(), "the reader's window: " + reader);
    assertEquals(0, writerStats.sendWindow(), "the window the writer sees: " + writerStats);
    assertEquals(
        RECEIVE_BUFFER, reader.bytesReceived(), "the receive buffer is full, no more: " + reader);
    assertEquals(RECEIVE_BUFFER, writerStats.bytesAcked(), writerStats.toString());

    // A minute later nothing moved but the writer's zero-window probes, each answered: still up.
    time.advance(Duration.ofMinutes(1));
    TcpFlowStats later = VirtualTcp.stats(outgoing).orElseThrow();
    assertEquals(TcpState.ESTABLISHED, later.state(), later.toString());
    assertEquals(RECEIVE_BUFFER, later.bytesAcked(), later.toString());
    assertEquals(0, later.timeouts(), "probes answered are not timeouts: " + later);
    assertTrue(
        later.segmentsSent() > writerStats.segmentsSent(), "the writer keeps probing: " + later);
    time.await(binding.unbind(), LIMIT);
  }
}
