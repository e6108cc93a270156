package dev.vnetif.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.tcp.CloseReason;
import dev.vnetif.tcp.TcbEvent;
import dev.vnetif.tcp.TcpState;
import dev.vnetif.wire.TcpSegment;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The close protocol on a bare Tcb: close() waiters and the handler's last event. */
class FlowCloserTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** The fixture's sides and closer, with the Tcb's events handed over as the actor does. */
  static final class Sides {
    final FlowSideFixture f = new FlowSideFixture(4000);
    final FlowReceiver receiver = new FlowReceiver(f);
    final FlowSender sender = new FlowSender(f);
    final FlowCloser closer = new FlowCloser(f, receiver, sender);

    void deliver() {
      for (TcbEvent e : f.takeEvents()) {
        if (e instanceof TcbEvent.PeerFinished) {
          receiver.peerSentFin();
          closer.peerFinished();
        } else if (e instanceof TcbEvent.StateChanged s) {
          closer.stateChanged(s.to());
        } else if (e instanceof TcbEvent.Closed c) {
          f.handle.ended(c.reason(), receiver.endOfFile());
          closer.ended(c.reason());
        }
      }
    }

    void peerFin(int ack) {
      f.peer(TcpSegment.of(80, 49152, 20_001, 1001 + ack, TcpSegment.FIN | TcpSegment.ACK, 64_000));
      deliver();
    }
  }

  @Test
  @DisplayName(
      "close(): FIN goes out at once, the stage completes only when the peer's FIN arrived too")
  void closeAndWaitNeedsThePeersFin() {
    Sides s = new Sides();
    CompletableFuture<Done> close = new CompletableFuture<>();
    s.closer.request(new FlowInternal.CloseAndWait(s.f.handle, close));
    s.deliver();
    assertEquals(TcpState.FIN_WAIT_1, s.f.tcb.state());
    s.f.peerAcks(1); // our FIN acknowledged
    s.deliver();
    assertEquals(TcpState.FIN_WAIT_2, s.f.tcb.state());
    assertFalse(close.isDone(), "the peer has not closed yet");
    s.peerFin(1);
    assertEquals(TcpState.TIME_WAIT, s.f.tcb.state());
    assertTrue(close.isDone());
  }

  @Test
  @DisplayName(
      "Close gives Closed once our FIN is acknowledged; ConfirmedClose gives ConfirmedClosed only after the peer's FIN")
  void closeAndConfirmedClose() {
    Sides close = new Sides();
    TestProbe<FlowEvent> h1 = testKit.createTestProbe();
    close.f.handler = h1.ref();
    close.closer.request(new FlowCommand.Close());
    close.deliver();
    h1.expectNoMessage(Duration.ofMillis(20));
    close.f.peerAcks(1);
    close.deliver();
    h1.expectMessage(FlowEvent.CLOSED);

    Sides confirmed = new Sides();
    TestProbe<FlowEvent> h2 = testKit.createTestProbe();
    confirmed.f.handler = h2.ref();
    confirmed.closer.request(new FlowCommand.ConfirmedClose());
    confirmed.f.peerAcks(1);
    confirmed.deliver();
    h2.expectNoMessage(Duration.ofMillis(20));
    confirmed.peerFin(1);
    h2.expectMessage(FlowEvent.CONFIRMED_CLOSED);
  }

  @Test
  @DisplayName(
      "the peer's FIN: PeerClosed, and without keepOpenOnPeerClosed our FIN follows (CLOSE_WAIT -> LAST_ACK)")
  void peerClosedClosesOurSide() {
    Sides s = new Sides();
    TestProbe<FlowEvent> h = testKit.createTestProbe();
    s.f.handler = h.ref();
    s.closer.registered(false);
    s.peerFin(0);
    h.expectMessage(FlowEvent.PEER_CLOSED);
    assertEquals(TcpState.LAST_ACK, s.f.tcb.state());
  }

  @Test
  @DisplayName("Abort: RST, CLOSED, and the handler's last event is Aborted whatever came before")
  void abortWins() {
    Sides s = new Sides();
    TestProbe<FlowEvent> h = testKit.createTestProbe();
    s.f.handler = h.ref();
    s.closer.request(new FlowCommand.ConfirmedClose());
    s.closer.request(new FlowCommand.Abort());
    s.deliver();
    assertEquals(TcpState.CLOSED, s.f.tcb.state());
    assertEquals(CloseReason.ABORTED, s.f.handle.closeReason());
    h.expectMessage(FlowEvent.ABORTED);
    h.expectNoMessage(Duration.ofMillis(20));
  }
}
