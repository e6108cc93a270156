package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
import static dev.vnetif.tcp.TcbHarness.REMOTE_SEQ;
import static dev.vnetif.tcp.TcbHarness.at;
import static dev.vnetif.tcp.TcbHarness.seg;
import static dev.vnetif.wire.TcpSegment.RST;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The counters of {@link TcbStats}: each counts what it names, and nothing else. */
class TcbStatsTest {

  @Test
  @DisplayName(
      "segments and bytes each way, challenge ACKs, timeouts and retransmissions are counted as they happen")
  void countersFollowTheConnection() {
    TcbHarness h = TcbHarness.established(); // SYN out, SYN-ACK in, ACK out
    TcbStats start = h.tcb.stats();
    assertEquals(2, start.segmentsSent());
    assertEquals(1, start.segmentsReceived());
    assertEquals(0, start.bytesSent());
    assertEquals(0, start.bytesReceived());

    h.send(at(10), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).payload("hello"));
    h.write("abc"); // carries the ACK of "hello"
    h.send(at(20), seg().flags(RST).seq(REMOTE_SEQ + 100)); // in window, not at RCV.NXT
    h.tick(at(20) + 200 * TcbHarness.MS); // the RTO (200 ms floor) resends "abc"
    TcbStats s = h.tcb.stats();
    assertEquals(5, s.bytesReceived());
    assertEquals(3, s.bytesSent(), "a retransmission sends no new bytes");
    assertEquals(0, s.bytesAcked());
    assertEquals(3, s.segmentsReceived());
    assertEquals(5, s.segmentsSent(), "+ data, challenge ACK, retransmission");
    assertEquals(1, s.challengeAcks());
    assertEquals(1, s.timeouts());
    assertEquals(1, s.retransmittedSegments());
    assertEquals(0, s.fastRetransmits());
    assertEquals(0, s.zeroWindowProbes());
    assertEquals(0, s.keepaliveProbes());

    h.send(at(300), seg().seq(REMOTE_SEQ + 5).ack(LOCAL_SEQ + 3));
    assertEquals(3, h.tcb.stats().bytesAcked());
    assertEquals(4, h.tcb.stats().segmentsReceived());
  }
}
