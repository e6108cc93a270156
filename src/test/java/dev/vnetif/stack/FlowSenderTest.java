package dev.vnetif.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.tcp.CloseReason;
import dev.vnetif.tcp.TcbEvent;
import dev.vnetif.tcp.TcpState;
import dev.vnetif.wire.TcpSegment;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The write side of a flow, on a bare Tcb: backpressure, nodelay, FIN, and the end. */
class FlowSenderTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static PendingWrite.Stage stage(int bytes, boolean nodelay, CompletableFuture<Done> p) {
    return new PendingWrite.Stage(List.of(ByteString.fromArray(new byte[bytes])), nodelay, p);
  }

  @Test
  @DisplayName(
      "a write larger than the send buffer waits, and completes once ACKs made room for its tail; the next write waits behind it")
  void writerThatOutrunsThePeerWaits() {
    FlowSideFixture f = new FlowSideFixture(4000);
    FlowSender sender = new FlowSender(f);
    CompletableFuture<Done> big = new CompletableFuture<>();
    CompletableFuture<Done> next = new CompletableFuture<>();
    sender.add(stage(10_000, false, big));
    sender.add(stage(10, false, next));
    assertFalse(big.isDone());
    assertEquals(4000, f.tcb.writtenTotal(), "only what the buffer holds");
    f.peerAcks(4000);
    sender.dataAcknowledged(f.tcb.acknowledgedTotal());
    assertFalse(big.isDone());
    assertEquals(8000, f.tcb.writtenTotal());
    f.peerAcks(8000);
    sender.dataAcknowledged(f.tcb.acknowledgedTotal());
    assertTrue(big.isDone(), "its last 2000 bytes are in the buffer");
    assertTrue(next.isDone());
    assertEquals(10_010, f.tcb.writtenTotal());
  }

  @Test
  @DisplayName("a nodelay write completes when its last byte is acknowledged, not before")
  void nodelayWaitsForItsAck() {
    FlowSideFixture f = new FlowSideFixture(64_000);
    FlowSender sender = new FlowSender(f);
    CompletableFuture<Done> w = new CompletableFuture<>();
    sender.add(stage(3000, true, w));
    f.peerAcks(2999);
    sender.dataAcknowledged(f.tcb.acknowledgedTotal());
    assertFalse(w.isDone(), "one byte unacknowledged");
    f.peerAcks(3000);
    sender.dataAcknowledged(f.tcb.acknowledgedTotal());
    assertTrue(w.isDone());
  }

  @Test
  @DisplayName("shutdown: the FIN goes out only after the queued writes are in the send buffer")
  void finFollowsQueuedWrites() {
    FlowSideFixture f = new FlowSideFixture(4000);
    FlowSender sender = new FlowSender(f);
    sender.add(stage(6000, false, new CompletableFuture<>()));
    sender.shutdown();
    assertEquals(TcpState.ESTABLISHED, f.tcb.state(), "2000 bytes still wait");
    f.peerAcks(4000);
    sender.dataAcknowledged(f.tcb.acknowledgedTotal());
    assertEquals(TcpState.FIN_WAIT_1, f.tcb.state());
  }

  @Test
  @DisplayName(
      "room freed in the same batch as a RST: the Tcb is CLOSED, nothing is pumped into it (no exception), and the close fails what waits")
  void ackThenResetInOneBatch() throws Exception {
    FlowSideFixture f = new FlowSideFixture(4000);
    FlowSender sender = new FlowSender(f);
    CompletableFuture<Done> w = new CompletableFuture<>();
    sender.add(stage(10_000, false, w));
    f.tcb.segmentsArrived(
        List.of(
            TcpSegment.of(80, 49152, 20_001, 1001 + 4000, TcpSegment.ACK, 64_000),
            TcpSegment.of(80, 49152, 20_001, 0, TcpSegment.RST, 0)),
        f.now);
    assertEquals(TcpState.CLOSED, f.tcb.state());
    for (TcbEvent e : f.takeEvents()) {
      if (e instanceof TcbEvent.DataAcknowledged a) {
        sender.dataAcknowledged(a.acknowledgedTotal()); // threw IllegalStateException before
      }
    }
    assertFalse(w.isDone());
    FlowClosedException reset =
        new FlowClosedException(CloseReason.RESET, f.handle.describe(CloseReason.RESET));
    sender.closed(reset);
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, w::get);
    assertSame(reset, e.getCause());
  }

  @Test
  @DisplayName(
      "a Write of the actor protocol is answered with its Ack token once buffered, and with CommandFailed when the flow ends first")
  void ioWritesAnswerTheHandler() {
    FlowSideFixture f = new FlowSideFixture(4000);
    TestProbe<FlowEvent> probe = testKit.createTestProbe();
    f.handler = probe.ref();
    FlowSender sender = new FlowSender(f);
    FlowCommand.Write small = new FlowCommand.Write(ByteString.fromString("hi"), "ack-1");
    FlowCommand.Write big = new FlowCommand.Write(ByteString.fromArray(new byte[8000]), "ack-2");
    sender.add(new PendingWrite.Io(small));
    sender.add(new PendingWrite.Io(big));
    probe.expectMessage(new FlowEvent.Ack("ack-1"));
    sender.closed(new FlowClosedException(CloseReason.ABORTED, "the end"));
    assertEquals(new FlowEvent.CommandFailed(big, "the end"), probe.receiveMessage());
  }
}
