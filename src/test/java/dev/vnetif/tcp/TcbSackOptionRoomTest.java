package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_ISS;
import static dev.vnetif.tcp.TcbHarness.LOCAL_PORT;
import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
import static dev.vnetif.tcp.TcbHarness.MSS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_ISS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_PORT;
import static dev.vnetif.tcp.TcbHarness.REMOTE_SEQ;
import static dev.vnetif.tcp.TcbHarness.T0;
import static dev.vnetif.tcp.TcbHarness.at;
import static dev.vnetif.tcp.TcbHarness.pattern;
import static dev.vnetif.tcp.TcbHarness.seg;
import static dev.vnetif.wire.TcpSegment.ACK;
import static dev.vnetif.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vnetif.wire.SackBlock;
import dev.vnetif.wire.TcpSegment;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Room for SACK blocks on data segments (RFC 2018 §3, RFC 2883 §4): while our receiver holds data
 * out of order or owes a D-SACK, each new data segment is cut short by the SACK option its ACK must
 * carry (4 bytes, and 8 per block), as Linux's {@code tcp_current_mss} does, so that a full-sized
 * data segment does not crowd the blocks out. SACK on, timestamps off: the send MSS is 1460 and
 * four blocks fit.
 */
class TcbSackOptionRoomTest {
  private static final int R = REMOTE_SEQ;

  private static TcbHarness established() {
    TcpConfig config =
        TcbHarness.withTimestampsAndSack().withTimestamps(false).toBuilder()
            .sendBufferSize(1 << 20)
            .build();
    TcbHarness h = new TcbHarness();
    h.tcb = Tcb.connect(config, LOCAL_PORT, REMOTE_PORT, LOCAL_ISS, h, T0);
    h.send(T0, seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS).sackOk());
    h.clear();
    return h;
  }

  private static List<SackBlock> blocks(int... edges) {
    SackBlock[] blocks = new SackBlock[edges.length / 2];
    for (int i = 0; i < edges.length; i += 2) {
      blocks[i / 2] = new SackBlock(edges[i], edges[i + 1]);
    }
    return List.of(blocks);
  }

  /** One of our data segments: where it starts, what it acknowledges, its payload and blocks. */
  private static void assertData(
      TcpSegment s, int offset, int length, int ack, List<SackBlock> expectedBlocks) {
    assertEquals(LOCAL_SEQ + offset, s.seq(), s.toString());
    assertEquals(ack, s.ack(), s.toString());
    assertEquals(pattern(offset, length), s.payload(), s.toString());
    assertEquals(expectedBlocks, s.options().sackBlocks(), s.toString());
  }

  @Test
  @DisplayName(
      "RFC 2018 §3: while a range is held out of order, our data segments carry 1448 bytes (1460 less the 12-byte option of one block) and the block; once the hole fills, 1460 and none")
  void heldRangeShrinksDataSegments() {
    TcbHarness h = established();
    h.send(at(10), seg().seq(R + 1000).ack(LOCAL_SEQ).payload(pattern(1000, 500)));
    TcpSegment dupAck = h.nextSegment(); // RFC 5681 §4.2: at once, out-of-order data
    assertEquals(R, dupAck.ack());
    assertEquals(blocks(R + 1000, R + 1500), dupAck.options().sackBlocks());
    h.expectNothing();

    h.now = at(20);
    h.write(pattern(0, 3 * 1448), false);
    for (int i = 0; i < 3; i++) {
      assertData(h.nextSegment(), i * 1448, 1448, R, blocks(R + 1000, R + 1500));
    }
    h.expectNothing();

    // The hole fills: RCV.NXT moves past the held range, nothing is pending any more.
    h.send(at(30), seg().seq(R).ack(LOCAL_SEQ + 3 * 1448).payload(pattern(0, 1000)));
    TcpSegment ack = h.nextSegment();
    assertEquals(R + 1500, ack.ack());
    assertEquals(List.of(), ack.options().sackBlocks());
    h.expectNothing();
    h.now = at(40);
    h.write(pattern(3 * 1448, MSS), false);
    assertData(h.nextSegment(), 3 * 1448, MSS, R + 1500, List.of());
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 2018 §3: two held ranges cut our data segments to 1440 bytes (1460 less 4 + 2 × 8), the newest block first; the first hole filled, 1448 with the one left")
  void twoHeldRangesTakeTwentyBytes() {
    TcbHarness h = established();
    h.send(at(10), seg().seq(R + 1000).ack(LOCAL_SEQ).payload(pattern(1000, 500)));
    h.send(at(11), seg().seq(R + 2000).ack(LOCAL_SEQ).payload(pattern(2000, 500)));
    h.drain(); // the two duplicate ACKs
    h.now = at(20);
    h.write(pattern(0, 2 * 1440), false);
    for (int i = 0; i < 2; i++) {
      assertData(
          h.nextSegment(), i * 1440, 1440, R, blocks(R + 2000, R + 2500, R + 1000, R + 1500));
    }
    h.expectNothing();

    h.send(at(30), seg().seq(R).ack(LOCAL_SEQ + 2 * 1440).payload(pattern(0, 1000)));
    TcpSegment ack = h.nextSegment(); // the first hole filled: at once (RFC 5681 §4.2)
    assertEquals(R + 1500, ack.ack());
    assertEquals(blocks(R + 2000, R + 2500), ack.options().sackBlocks());
    h.now = at(40);
    h.write(pattern(2 * 1440, 1448), false);
    assertData(h.nextSegment(), 2 * 1440, 1448, R + 1500, blocks(R + 2000, R + 2500));
    h.expectNothing();
  }
}
