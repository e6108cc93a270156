package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
import static dev.vnetif.tcp.TcbHarness.MS;
import static dev.vnetif.tcp.TcbHarness.MSS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_SEQ;
import static dev.vnetif.tcp.TcbHarness.WINDOW;
import static dev.vnetif.tcp.TcbHarness.at;
import static dev.vnetif.tcp.TcbHarness.out;
import static dev.vnetif.tcp.TcbHarness.pattern;
import static dev.vnetif.tcp.TcbHarness.seg;
import static dev.vnetif.wire.TcpSegment.ACK;
import static dev.vnetif.wire.TcpSegment.PSH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vnetif.wire.TcpSegment;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Zero windows and the persist timer (RFC 9293 §3.8.6.1, RFC 1122 §4.2.2.17): with data queued,
 * nothing in flight and the peer's window at zero, a one-byte probe goes at SND.NXT after the RTO,
 * then at doubling intervals capped at the maximum RTO, for as long as the peer answers; a window
 * update restarts sending at once. Also the slow-reader flow of mirage-tcpip issue 340, with two
 * blocks wired back to back ({@link TcbPair}).
 */
class TcbPersistTest {
  /** RTO 1 s even after the handshake's 0 ns sample, at most 60 s. */
  private static final TcpConfig CONFIG =
      TcbHarness.config().withRto(1_000 * MS, 1_000 * MS, 60_000 * MS);

  /** ESTABLISHED; at 0 ms the peer closed its window, and "hello" waits to be sent. */
  private static TcbHarness zeroWindowWithData() {
    TcbHarness h = TcbHarness.established(CONFIG);
    h.send(at(0), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).window(0));
    h.write("hello");
    h.expectNothing();
    return h;
  }

  /** The peer's answer to a probe it did not take: the same ACK, window still zero. */
  private static TcbHarness.SegmentBuilder zeroWindowAck(int ack) {
    return seg().seq(REMOTE_SEQ).ack(ack).window(0);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.8.6.1: zero window, data queued, nothing in flight → a 1-byte probe at SND.NXT when the RTO (1 s) expires")
  void firstProbeAfterRto() {
    TcbHarness h = zeroWindowWithData();
    assertEquals(at(1_000), h.tcb.timers().deadline(TcbTimers.Kind.PERSIST));
    h.tick(at(999));
    h.expectNothing();
    h.tick(at(1_000));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ).payload("h"));
    h.expectNothing();
    assertEquals(1, h.tcb.stats().zeroWindowProbes());
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.8.6.1: probes back off 1 s, 2 s, 4 s … and the interval is capped at the max RTO (60 s)")
  void probeIntervalBacksOffToMaxRto() {
    TcbHarness h = zeroWindowWithData();
    long[] probesAt = {1_000, 3_000, 7_000, 15_000, 31_000, 63_000, 123_000, 183_000, 243_000};
    for (long ms : probesAt) {
      h.tick(at(ms) - 1);
      h.expectNothing();
      h.tick(at(ms));
      h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ).payload("h"));
      h.send(at(ms), zeroWindowAck(LOCAL_SEQ));
      h.expectNothing();
    }
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.8.6.1, RFC 1122 §4.2.2.17: the connection is never closed while the peer keeps answering the probes")
  void neverGivesUpWhilePeerAnswers() {
    TcbHarness h = zeroWindowWithData();
    for (int i = 0; i < 40; i++) {
      h.tick(h.tcb.nextDeadline());
      h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ).payload("h"));
      h.send(h.now, zeroWindowAck(LOCAL_SEQ));
    }
    h.expectState(TcpState.ESTABLISHED);
    h.expectNoEvent();
    assertEquals(40, h.tcb.stats().zeroWindowProbes());
    assertEquals(
        at(1_000 + 2_000 + 4_000 + 8_000 + 16_000 + 32_000 + 34 * 60_000),
        h.now,
        "40 probes, the last 34 at 60 s intervals");
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.8.6.1: a window update ACK restarts sending at once and stops the persist timer")
  void windowUpdateResumesSendingAtOnce() {
    TcbHarness h = zeroWindowWithData();
    h.tick(at(1_000));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ).payload("h"));
    h.send(at(1_500), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).window(WINDOW));
    h.expectSegment(out().flags(ACK | PSH).seq(LOCAL_SEQ).ack(REMOTE_SEQ).payload("hello"));
    h.expectNothing();
    assertFalse(h.tcb.timers().isArmed(TcbTimers.Kind.PERSIST));
    assertEquals(at(2_500), h.tcb.timers().deadline(TcbTimers.Kind.RETRANSMIT));
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.8.6.1: a window that opens before the first probe sends the data at once, no probe")
  void windowOpensBeforeFirstProbe() {
    TcbHarness h = zeroWindowWithData();
    h.send(at(300), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).window(WINDOW));
    h.expectSegment(out().flags(ACK | PSH).seq(LOCAL_SEQ).ack(REMOTE_SEQ).payload("hello"));
    assertFalse(h.tcb.timers().isArmed(TcbTimers.Kind.PERSIST));
    h.send(at(310), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 5).window(WINDOW));
    h.tick(at(100_000));
    h.expectNothing();
    assertEquals(0, h.tcb.stats().zeroWindowProbes());
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.8.6.1: a probe byte the peer takes is acknowledged; the next probe carries the next byte")
  void acceptedProbeByteAdvances() {
    TcbHarness h = zeroWindowWithData();
    h.tick(at(1_000));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ).payload("h"));
    h.send(at(1_000), zeroWindowAck(LOCAL_SEQ + 1));
    h.expectEvent(new TcbEvent.DataAcknowledged(1, WINDOW - 4));
    h.expectNothing();
    h.tick(at(3_000));
    h.expectSegment(out().seq(LOCAL_SEQ + 1).ack(REMOTE_SEQ).payload("e"));
    h.send(at(3_000), zeroWindowAck(LOCAL_SEQ + 2));
    h.tick(at(7_000));
    h.expectSegment(out().seq(LOCAL_SEQ + 2).ack(REMOTE_SEQ).payload("l"));
    h.send(at(7_500), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 3).window(WINDOW));
    h.expectSegment(out().flags(ACK | PSH).seq(LOCAL_SEQ + 3).ack(REMOTE_SEQ).payload("lo"));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.8.6.1: no probe while nothing waits to be sent, however long the window stays zero")
  void noProbeWithoutQueuedData() {
    TcbHarness h = TcbHarness.established(CONFIG);
    h.send(at(0), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).window(0));
    assertEquals(TcbTimers.OFF, h.tcb.nextDeadline());
    h.tick(at(600_000));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.8.6.1: while data is in flight the retransmission timer watches; persist starts once it is all ACKed")
  void persistOnlyWithNothingInFlight() {
    // Classic Nagle keeps the 1000-byte tail unsent behind the full segment in flight.
    TcbHarness h = TcbHarness.established(CONFIG.withMinshallNagle(false));
    h.write(pattern(0, MSS + 1000), false);
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ).payload(pattern(0, MSS)));
    h.expectNothing(); // Nagle holds the rest
    h.send(at(100), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).window(0));
    assertFalse(h.tcb.timers().isArmed(TcbTimers.Kind.PERSIST));
    assertTrue(h.tcb.timers().isArmed(TcbTimers.Kind.RETRANSMIT));
    h.send(at(200), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + MSS).window(0));
    h.expectNothing();
    assertFalse(h.tcb.timers().isArmed(TcbTimers.Kind.RETRANSMIT));
    assertEquals(at(1_200), h.tcb.timers().deadline(TcbTimers.Kind.PERSIST));
    h.tick(at(1_200));
    h.expectSegment(out().seq(LOCAL_SEQ + MSS).ack(REMOTE_SEQ).payload(pattern(MSS, 1)));
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.4: a window opened too little for sender SWS avoidance is used when the persist timer expires (override)")
  void persistTimerSendsWhatFitsInASmallWindow() {
    TcbHarness h = TcbHarness.established(CONFIG);
    h.send(at(0), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).window(0));
    h.write(pattern(0, 5000), false);
    h.send(at(500), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).window(100));
    h.expectNothing();
    h.tick(at(1_499));
    h.expectNothing();
    h.tick(at(1_500));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ).payload(pattern(0, 100)));
    h.expectNothing();
    assertEquals(0, h.tcb.stats().zeroWindowProbes());
  }

  // ------------------------------------------------------------------ two blocks

  @Test
  @DisplayName(
      "RFC 9293 §3.8.6.1, mirage-tcpip#340: a slow reader fills the window to zero, yet window updates keep the flow going to the end")
  void slowReaderNeverDeadlocks() {
    TcpConfig sender = TcbHarness.config();
    TcpConfig receiver = TcbHarness.config().withBuffers(4_000, WINDOW);
    TcbPair pair = new TcbPair(sender, 1_000, receiver, 2_000_000);
    byte[] data = TcbPair.randomBytes(100_000, 340);
    int written = 0;
    // The reader takes 300 bytes every 100 ms: 3000 bytes/s, about 33 s for everything.
    while (pair.server.received.size() < data.length) {
      written += pair.write(pair.client, data, written);
      pair.advance(pair.now + 100 * MS);
      pair.consume(pair.server, 300);
      if (pair.now > TcbPair.START + 120_000 * MS) {
        fail(
            "deadlock: "
                + pair.server.received.size()
                + " of "
                + data.length
                + " bytes after 120 s");
      }
    }
    assertArrayEquals(data, pair.server.received.toByteArray());
    assertTrue(pair.server.zeroWindowsSent > 0, "the receiver's window never reached zero");
    assertTrue(pair.server.windowsReopened > 0, "no window update after a zero window");
    assertTrue(
        pair.now < TcbPair.START + 40_000 * MS,
        "took " + (pair.now - TcbPair.START) / MS + " ms; the reader alone needs about 33 s");
    assertNull(pair.client.closed);
    assertNull(pair.server.closed);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.8.6.1: a reader stalled for 10 minutes while it writes keeps the connection; then both directions complete")
  void stalledReaderThatWritesSurvives() {
    TcpConfig config = TcbHarness.config().withBuffers(4_000, WINDOW);
    TcbPair pair = new TcbPair(config, 1_000, config, 2_000_000);
    byte[] toServer = TcbPair.randomBytes(20_000, 1);
    byte[] toClient = TcbPair.randomBytes(10_000, 2);
    int written = pair.write(pair.client, toServer, 0);
    pair.advance(pair.now + 1_000 * MS); // the server's window is zero, the client probes
    assertTrue(pair.server.zeroWindowsSent > 0);
    int serverWritten = pair.write(pair.server, toClient, 0);
    // The server's user writes but does not read for ten minutes; the client reads all.
    for (int i = 0; i < 600; i++) {
      pair.advance(pair.now + 1_000 * MS);
      pair.consume(pair.client, Integer.MAX_VALUE);
      serverWritten += pair.write(pair.server, toClient, serverWritten);
    }
    assertNull(pair.server.closed, "the stalled reader's connection died");
    assertNull(pair.client.closed, "the writer's connection died");
    // Now the server reads too.
    for (int i = 0;
        i < 600
            && (pair.server.received.size() < toServer.length
                || pair.client.received.size() < toClient.length);
        i++) {
      written += pair.write(pair.client, toServer, written);
      pair.advance(pair.now + 100 * MS);
      pair.consume(pair.server, Integer.MAX_VALUE);
      pair.consume(pair.client, Integer.MAX_VALUE);
    }
    assertArrayEquals(toServer, pair.server.received.toByteArray());
    assertArrayEquals(toClient, pair.client.received.toByteArray());
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.8.6.1, mirage-tcpip#340: both windows closed, both ends probing; once one reader resumes, the other's data must flow again")
  void bothWindowsClosedThenOneReaderResumes() {
    TcpConfig config = TcbHarness.config().withBuffers(4_000, WINDOW);
    TcbPair pair = new TcbPair(config, 1_000, config, 2_000_000);
    byte[] up = TcbPair.randomBytes(20_000, 3);
    byte[] down = TcbPair.randomBytes(20_000, 4);
    int upWritten = pair.write(pair.client, up, 0);
    int downWritten = pair.write(pair.server, down, 0);
    // Nobody reads for 5 s: both windows fill, and both ends probe the other's zero window.
    pair.advance(pair.now + 5_000 * MS);
    assertTrue(pair.client.tcb.stats().zeroWindowProbes() > 0);
    assertTrue(pair.server.tcb.stats().zeroWindowProbes() > 0);
    // Then the client reads everything as it comes; the server's user reads only once all it
    // wrote is acknowledged (write everything, then read).
    for (int i = 0;
        i < 3_000
            && (pair.server.received.size() < up.length
                || pair.client.received.size() < down.length);
        i++) {
      upWritten += pair.write(pair.client, up, upWritten);
      downWritten += pair.write(pair.server, down, downWritten);
      pair.advance(pair.now + 100 * MS);
      pair.consume(pair.client, Integer.MAX_VALUE);
      if (pair.server.tcb.acknowledgedTotal() == down.length) {
        pair.consume(pair.server, Integer.MAX_VALUE);
      }
    }
    assertEquals(
        down.length,
        pair.client.received.size(),
        "bytes the reading client got in 300 s; the server still sees window "
            + pair.server.tcb.stats().sendWindow());
    assertArrayEquals(down, pair.client.received.toByteArray());
    assertArrayEquals(up, pair.server.received.toByteArray());
  }

  /**
   * Two blocks back to back over a lossless link without delay, on one virtual clock: a client
   * (port {@value #CLIENT_PORT}) that connects and a server (port {@value #SERVER_PORT}) that
   * listens. Segments go across after each input, in order. Shared by the keepalive and wrap-around
   * tests.
   */
  static final class TcbPair {
    static final int CLIENT_PORT = 49_500;
    static final int SERVER_PORT = 80;
    static final long START = TcbHarness.T0;

    /** One end: its block, what it sent and what its user received. */
    static final class End implements TcbOutput {
      Tcb tcb;
      final ArrayDeque<TcpSegment> outbox = new ArrayDeque<>();
      final ByteArrayOutputStream received = new ByteArrayOutputStream();
      int unconsumed;
      boolean peerFinished;
      CloseReason closed;
      int zeroWindowsSent;
      int windowsReopened;
      private boolean lastWindowZero;

      @Override
      public void segment(TcpSegment segment) {
        outbox.addLast(segment);
        if (!segment.isSyn() && !segment.isRst()) {
          if (segment.window() == 0) {
            zeroWindowsSent++;
          } else if (lastWindowZero) {
            windowsReopened++;
          }
          lastWindowZero = segment.window() == 0;
        }
      }

      @Override
      public void event(TcbEvent event) {
        if (event instanceof TcbEvent.DataReceived d) {
          byte[] bytes = d.data().toArray();
          received.write(bytes, 0, bytes.length);
          unconsumed += bytes.length;
        } else if (event instanceof TcbEvent.PeerFinished) {
          peerFinished = true;
        } else if (event instanceof TcbEvent.Closed c) {
          closed = c.reason();
        }
      }
    }

    final End client = new End();
    final End server = new End();
    long now = START;

    /** Connects; the handshake is done when the constructor returns. */
    TcbPair(TcpConfig clientConfig, int clientIss, TcpConfig serverConfig, int serverIss) {
      server.tcb = Tcb.listen(serverConfig, SERVER_PORT, (port, t) -> serverIss, server);
      client.tcb = Tcb.connect(clientConfig, CLIENT_PORT, SERVER_PORT, clientIss, client, now);
      deliver();
      assertEquals(TcpState.ESTABLISHED, client.tcb.state());
      assertEquals(TcpState.ESTABLISHED, server.tcb.state());
    }

    static byte[] randomBytes(int n, long seed) {
      byte[] bytes = new byte[n];
      new SplittableRandom(seed).nextBytes(bytes);
      return bytes;
    }

    /** Carries every pending segment across, and what the answers cause, until both are quiet. */
    void deliver() {
      for (int moved = 0; !client.outbox.isEmpty() || !server.outbox.isEmpty(); moved++) {
        if (moved > 100_000) {
          fail("the two ends exchange segments without end");
        }
        TcpSegment toServer = client.outbox.pollFirst();
        if (toServer != null) {
          server.tcb.segmentArrived(toServer, now);
        }
        TcpSegment toClient = server.outbox.pollFirst();
        if (toClient != null) {
          client.tcb.segmentArrived(toClient, now);
        }
      }
    }

    /** Moves the clock to {@code until}, firing each timer at its deadline on the way. */
    void advance(long until) {
      while (true) {
        long next = Math.min(client.tcb.nextDeadline(), server.tcb.nextDeadline());
        if (next > until) {
          break;
        }
        now = Math.max(now, next);
        if (client.tcb.nextDeadline() <= now) {
          client.tcb.timerFired(now);
        }
        if (server.tcb.nextDeadline() <= now) {
          server.tcb.timerFired(now);
        }
        deliver();
      }
      now = Math.max(now, until);
    }

    /** The user of {@code end} reads up to {@code max} of the bytes it was given. */
    void consume(End end, int max) {
      int n = Math.min(max, end.unconsumed);
      if (n > 0 && end.closed == null) {
        end.unconsumed -= n;
        end.tcb.consumed(n, now);
        deliver();
      }
    }

    /** Writes {@code data} from offset {@code from} as far as the send buffer takes it. */
    int write(End end, byte[] data, int from) {
      if (from >= data.length || !end.tcb.canSend() || end.tcb.sendBufferFree() == 0) {
        return 0;
      }
      int n = Math.min(data.length - from, end.tcb.sendBufferFree());
      int taken = end.tcb.send(ByteString.fromArray(data, from, n), false, now);
      deliver();
      return taken;
    }
  }
}
