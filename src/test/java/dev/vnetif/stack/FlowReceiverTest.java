package dev.vnetif.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vnetif.tcp.CloseReason;
import dev.vnetif.tcp.TcbEvent;
import dev.vnetif.wire.TcpSegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The receive side of a flow, on a bare Tcb: reads, the window, FIN, shutdown, pull mode. */
class FlowReceiverTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** Hands the Tcb's events to the receiver as the actor does. */
  private static void deliver(FlowSideFixture f, FlowReceiver receiver) {
    for (TcbEvent e : f.takeEvents()) {
      if (e instanceof TcbEvent.DataReceived d) {
        receiver.dataReceived(d.data());
      } else if (e instanceof TcbEvent.PeerFinished) {
        receiver.peerSentFin();
      }
    }
  }

  private static ByteString read(FlowReceiver receiver, boolean ended) throws Exception {
    CompletableFuture<ByteString> p = new CompletableFuture<>();
    receiver.read(p, ended);
    return p.getNow(null);
  }

  @Test
  @DisplayName(
      "unread data counts against the receive window until a read takes it, all of it in one piece")
  void unreadDataHoldsTheWindow() throws Exception {
    FlowSideFixture f = new FlowSideFixture(4000);
    FlowReceiver receiver = new FlowReceiver(f);
    String first = "a".repeat(1000);
    String second = "b".repeat(1000);
    f.peerSends(0, first);
    f.peerSends(1000, second);
    deliver(f, receiver);
    assertEquals(64_000 - 2000, f.tcb.stats().receiveWindow(), "2000 bytes unread");
    assertEquals(ByteString.fromString(first + second), read(receiver, false));
    // RFC 1122 §4.2.3.3: reopened by at least an MSS, the window is announced again
    assertEquals(64_000, f.tcb.stats().receiveWindow(), "consumed: the window reopened");
  }

  @Test
  @DisplayName("a waiting read completes with the next arrival; after the FIN reads give Eof")
  void waitingReadThenFin() throws Exception {
    FlowSideFixture f = new FlowSideFixture(4000);
    FlowReceiver receiver = new FlowReceiver(f);
    CompletableFuture<ByteString> waiting = new CompletableFuture<>();
    receiver.read(waiting, false);
    assertFalse(waiting.isDone());
    f.peerSends(0, "abc");
    deliver(f, receiver);
    assertEquals(ByteString.fromString("abc"), waiting.getNow(null));
    CompletableFuture<ByteString> atFin = new CompletableFuture<>();
    receiver.read(atFin, false);
    f.peer(TcpSegment.of(80, 49152, 20_004, 1001, TcpSegment.FIN | TcpSegment.ACK, 64_000));
    deliver(f, receiver);
    assertEquals(ByteString.emptyByteString(), atFin.getNow(null), "end of file");
    assertEquals(ByteString.emptyByteString(), read(receiver, false));
  }

  @Test
  @DisplayName(
      "data and RST in one batch: the data is still read, then reads of the ended flow fail with the reason")
  void dataThenReset() throws Exception {
    FlowSideFixture f = new FlowSideFixture(4000);
    FlowReceiver receiver = new FlowReceiver(f);
    f.peerSends(0, "last words");
    f.peer(TcpSegment.of(80, 49152, 20_011, 0, TcpSegment.RST, 0));
    deliver(f, receiver);
    f.handle.ended(CloseReason.RESET, receiver.endOfFile());
    receiver.closed();
    assertEquals(ByteString.fromString("last words"), read(receiver, true));
    CompletableFuture<ByteString> after = new CompletableFuture<>();
    receiver.read(after, true);
    ExecutionException e = assertThrows(ExecutionException.class, after::get);
    assertEquals(
        CloseReason.RESET, assertInstanceOf(FlowClosedException.class, e.getCause()).reason());
  }

  @Test
  @DisplayName(
      "shutdown(READ): buffered data is discarded and the window reopens; reads give Eof, later data is consumed at once")
  void shutdownReadDiscards() throws Exception {
    FlowSideFixture f = new FlowSideFixture(4000);
    FlowReceiver receiver = new FlowReceiver(f);
    f.peerSends(0, "u".repeat(2000));
    deliver(f, receiver);
    assertEquals(64_000 - 2000, f.tcb.stats().receiveWindow());
    receiver.shutdown();
    assertEquals(64_000, f.tcb.stats().receiveWindow());
    assertEquals(ByteString.emptyByteString(), read(receiver, false));
    f.peerSends(2000, "m".repeat(2000));
    deliver(f, receiver);
    assertEquals(64_000, f.tcb.stats().receiveWindow(), "discarded on arrival");
  }

  @Test
  @DisplayName(
      "pull mode: data waits for ResumeReading and then goes to the handler as one Received")
  void pullMode() {
    FlowSideFixture f = new FlowSideFixture(4000);
    TestProbe<FlowEvent> probe = testKit.createTestProbe();
    f.handler = probe.ref();
    FlowReceiver receiver = new FlowReceiver(f);
    receiver.pullMode(true);
    receiver.registered();
    f.peerSends(0, "one ");
    f.peerSends(4, "two");
    deliver(f, receiver);
    probe.expectNoMessage(java.time.Duration.ofMillis(50));
    receiver.resumeReading();
    assertEquals(new FlowEvent.Received(ByteString.fromString("one two")), probe.receiveMessage());
    receiver.resumeReading(); // nothing buffered: the next arrival goes out at once
    f.peerSends(7, "!");
    deliver(f, receiver);
    assertEquals(new FlowEvent.Received(ByteString.fromString("!")), probe.receiveMessage());
  }
}
