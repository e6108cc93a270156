package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_ISS;
import static dev.vnetif.tcp.TcbHarness.LOCAL_PORT;
import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
import static dev.vnetif.tcp.TcbHarness.MSS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_PORT;
import static dev.vnetif.tcp.TcbHarness.T0;
import static dev.vnetif.tcp.TcbHarness.WINDOW;
import static dev.vnetif.tcp.TcbHarness.at;
import static dev.vnetif.tcp.TcbHarness.out;
import static dev.vnetif.tcp.TcbHarness.pattern;
import static dev.vnetif.tcp.TcbHarness.seg;
import static dev.vnetif.wire.TcpSegment.ACK;
import static dev.vnetif.wire.TcpSegment.FIN;
import static dev.vnetif.wire.TcpSegment.SYN;

import dev.vnetif.tcp.TcbHarness.SegmentBuilder;
import dev.vnetif.wire.SackBlock;
import dev.vnetif.wire.TcpOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The D-SACK examples of RFC 2883 §4, each as the exact ACKs our receiver sends: §4.1 (examples 1
 * to 3, whole duplicate segments) and §4.2 (examples 4 to 6, partial duplicates), plus the cases
 * §4.2 implies but does not draw — a segment starting at RCV.NXT that runs into data held out of
 * order.
 *
 * <p>Sequence numbers are the RFC's: {@code data(3000, 3499)} is its "3000-3499" (last byte
 * inclusive), and ACK and SACK edges are as its tables print them ({@code 4000, SACK=3000-3500}).
 * Every example runs twice: once at the RFC's numbers, and once shifted so that 2^32 falls inside
 * the data the example is about, so the duplicate and held ranges straddle the wrap. The peer's
 * segments are 500 bytes, as in the RFC; they arrive far enough apart that each in-order one gets
 * its own delayed ACK (40 ms), as the RFC's tables show one ACK per segment. SACK is on and
 * timestamps off, so 4 blocks fit.
 */
class TcbDsackTest {

  /**
   * The peer's numbering: RFC sequence number {@code n} is {@code n + shift} on the wire; {@code
   * origin} is the first byte of the peer's data (its ISN + 1).
   */
  private record Peer(int origin, int shift) {
    int seq(int rfc) {
      return rfc + shift;
    }
  }

  /** The RFC's numbers as they are, or shifted so that {@code wrapAt} becomes 2^32 (i.e. 0). */
  private static Peer peer(boolean wrap, int origin, int wrapAt) {
    return new Peer(origin, wrap ? -wrapAt : 0);
  }

  /** Established at T0 with SACK negotiated, timestamps off; the peer's data starts at origin. */
  private static TcbHarness established(Peer p) {
    TcpConfig config = TcbHarness.withTimestampsAndSack().withTimestamps(false);
    TcbHarness h = new TcbHarness();
    h.tcb = Tcb.connect(config, LOCAL_PORT, REMOTE_PORT, LOCAL_ISS, h, T0);
    h.send(T0, seg().flags(SYN | ACK).seq(p.seq(p.origin()) - 1).ack(LOCAL_SEQ).mss(MSS).sackOk());
    h.clear();
    return h;
  }

  /** The peer's bytes {@code first..last} (inclusive, as in the RFC's tables). */
  private static SegmentBuilder data(Peer p, int first, int last) {
    return seg()
        .seq(p.seq(first))
        .ack(LOCAL_SEQ)
        .payload(pattern(first - p.origin(), last - first + 1));
  }

  /**
   * Our ACK of everything before {@code ack} with the given SACK blocks (left, right pairs), first
   * block first. The window is the buffer less what was delivered; the test reads nothing.
   */
  private static SegmentBuilder ackWith(Peer p, int ack, int... edges) {
    SegmentBuilder b = out().seq(LOCAL_SEQ).ack(p.seq(ack)).window(WINDOW - (ack - p.origin()));
    if (edges.length > 0) {
      List<SackBlock> blocks = new ArrayList<>();
      for (int i = 0; i < edges.length; i += 2) {
        blocks.add(new SackBlock(p.seq(edges[i]), p.seq(edges[i + 1])));
      }
      b.options(TcpOptions.NONE.withSackBlocks(blocks));
    }
    return b;
  }

  /** In-order {@code first..last} at {@code t} ms; its delayed ACK 40 ms later. */
  private static void inOrder(TcbHarness h, Peer p, long t, int first, int last) {
    h.send(at(t), data(p, first, last));
    h.expectNothing();
    h.tick(at(t + 40));
    h.expectSegment(ackWith(p, last + 1));
  }

  // ------------------------------------------------------------------ §4.1: duplicate segments

  @ParameterizedTest(name = "wrapped at 2^32: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName(
      "RFC 2883 §4.1.1 ex. 1 after the peer's FIN: its last data and FIN again (our ACK lost) are acknowledged with the data as a D-SACK block, in CLOSE_WAIT")
  void duplicateAfterFin(boolean wrap) {
    Peer p = peer(wrap, 3000, 3250);
    TcbHarness h = established(p);
    inOrder(h, p, 10, 3000, 3499);
    h.send(at(60), data(p, 3500, 3999).flags(ACK | FIN));
    h.expectState(TcpState.CLOSE_WAIT);
    h.expectSegment(ackWith(p, 4001)); // the FIN is acknowledged at once (ACK lost)
    h.send(at(300), data(p, 3500, 3999).flags(ACK | FIN));
    h.expectSegment(ackWith(p, 4001, 3500, 4000));
    h.expectNothing();
  }

  @ParameterizedTest(name = "wrapped at 2^32: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName(
      "RFC 2883 §4.1.1 ex. 1: a duplicate segment below RCV.NXT (ACKs lost) is the first block, once")
  void example1DuplicateSegment(boolean wrap) {
    Peer p = peer(wrap, 3000, 3250);
    TcbHarness h = established(p);
    inOrder(h, p, 10, 3000, 3499); // 3500 (ACK dropped)
    inOrder(h, p, 60, 3500, 3999); // 4000 (ACK dropped)
    h.send(at(200), data(p, 3000, 3499));
    h.expectSegment(ackWith(p, 4000, 3000, 3500));
    h.expectNothing();
    // Reported once: the next ACK has no block.
    inOrder(h, p, 300, 4000, 4499);
    h.expectNothing();
  }

  @ParameterizedTest(name = "wrapped at 2^32: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName(
      "RFC 2883 §4.1.2 ex. 2: a duplicate below RCV.NXT is the first block, the out-of-order block follows")
  void example2OutOfOrderAndDuplicate(boolean wrap) {
    Peer p = peer(wrap, 3000, 4750);
    TcbHarness h = established(p);
    inOrder(h, p, 10, 3000, 3499); // 3500 (ACK dropped)
    inOrder(h, p, 60, 3500, 3999); // 4000 (ACK dropped)
    // 4000-4499: data packet dropped
    h.send(at(110), data(p, 4500, 4999));
    h.expectSegment(ackWith(p, 4000, 4500, 5000)); // (ACK dropped)
    h.send(at(200), data(p, 3000, 3499));
    h.expectSegment(ackWith(p, 4000, 3000, 3500, 4500, 5000));
    h.expectNothing();
    h.send(at(300), data(p, 5000, 5499));
    h.expectSegment(ackWith(p, 4000, 4500, 5500));
  }

  @ParameterizedTest(name = "wrapped at 2^32: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName(
      "RFC 2883 §4.1.3 ex. 3: a duplicate of out-of-order data is the first block, the block holding it the second")
  void example3DuplicateOfOutOfOrderSegment(boolean wrap) {
    Peer p = peer(wrap, 3500, 5250);
    TcbHarness h = established(p);
    inOrder(h, p, 10, 3500, 3999);
    // 4000-4499: data packet dropped
    h.send(at(60), data(p, 4500, 4999));
    h.expectSegment(ackWith(p, 4000, 4500, 5000));
    h.send(at(70), data(p, 5000, 5499));
    h.expectSegment(ackWith(p, 4000, 4500, 5500));
    h.send(at(80), data(p, 5000, 5499)); // duplicated packet
    h.expectSegment(ackWith(p, 4000, 5000, 5500, 4500, 5500));
    h.expectNothing();
    h.send(at(90), data(p, 4000, 4499)); // the hole fills: no block left, no D-SACK again
    h.expectSegment(ackWith(p, 5500));
    h.expectNothing();
  }

  // ------------------------------------------------------------------ §4.2: partial duplicates

  @ParameterizedTest(name = "wrapped at 2^32: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName(
      "RFC 2883 §4.2.1 ex. 4: a segment half below RCV.NXT reports just the duplicate half")
  void example4SingleDuplicateSubsegment(boolean wrap) {
    Peer p = peer(wrap, 500, 1250);
    TcbHarness h = established(p);
    inOrder(h, p, 10, 500, 999);
    // 1000-1499 delayed, 1500-1999 dropped
    h.send(at(60), data(p, 2000, 2499));
    h.expectSegment(ackWith(p, 1000, 2000, 2500));
    // In order, but it reaches nothing held: no duplicate (RFC 5681 §4.2: ACKed at once).
    h.send(at(70), data(p, 1000, 1499));
    h.expectSegment(ackWith(p, 1500, 2000, 2500));
    h.send(at(80), data(p, 1000, 1999));
    h.expectSegment(ackWith(p, 2500, 1000, 1500));
    h.expectNothing();
    inOrder(h, p, 90, 2500, 2999);
    h.expectNothing();
  }

  /** Example 5 up to the retransmission: RCV.NXT 1500, 2000-2499 and 3000-3499 held. */
  private static TcbHarness example5UpToRetransmission(Peer p) {
    TcbHarness h = established(p);
    inOrder(h, p, 10, 500, 999);
    // 1000-1499 delayed, 1500-1999 dropped, 2000-2499 delayed, 2500-2999 dropped
    h.send(at(60), data(p, 3000, 3499));
    h.expectSegment(ackWith(p, 1000, 3000, 3500));
    h.send(at(70), data(p, 1000, 1499));
    h.expectSegment(ackWith(p, 1500, 3000, 3500));
    h.send(at(80), data(p, 2000, 2499));
    h.expectSegment(ackWith(p, 1500, 2000, 2500, 3000, 3500));
    return h;
  }

  @ParameterizedTest(name = "wrapped at 2^32: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName(
      "RFC 2883 §4.2.2 ex. 5: two duplicate subsegments covered by the new ACK: only the first, below RCV.NXT, is reported")
  void example5TwoDuplicatesCoveredByAck(boolean wrap) {
    Peer p = peer(wrap, 500, 2250);
    TcbHarness h = example5UpToRetransmission(p);
    h.send(at(90), data(p, 1000, 2499));
    h.expectSegment(ackWith(p, 2500, 1000, 1500, 3000, 3500));
    h.expectNothing();
    h.send(at(100), data(p, 2500, 2999));
    h.expectSegment(ackWith(p, 3500));
    h.expectNothing();
  }

  @ParameterizedTest(name = "wrapped at 2^32: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName(
      "RFC 2883 §4.2.2 ex. 5, in order: a segment from RCV.NXT that runs into out-of-order data reports that data first, then the other blocks")
  void example5InOrderOverlappingOutOfOrderData(boolean wrap) {
    Peer p = peer(wrap, 500, 2250);
    TcbHarness h = example5UpToRetransmission(p);
    // The retransmission starts at RCV.NXT: its second half repeats the held 2000-2499.
    h.send(at(90), data(p, 1500, 2499));
    h.expectSegment(ackWith(p, 2500, 2000, 2500, 3000, 3500));
    h.expectNothing();
    h.send(at(100), data(p, 2500, 2999));
    h.expectSegment(ackWith(p, 3500));
    h.expectNothing();
  }

  @ParameterizedTest(name = "wrapped at 2^32: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName(
      "RFC 2883 §4.2.2 ex. 5, in order: of two held ranges an in-order segment repeats, only the first is reported")
  void example5InOrderOverlappingTwoHeldRanges(boolean wrap) {
    Peer p = peer(wrap, 500, 3100);
    TcbHarness h = example5UpToRetransmission(p);
    h.send(at(85), data(p, 4000, 4499));
    h.expectSegment(ackWith(p, 1500, 4000, 4500, 2000, 2500, 3000, 3500));
    // 1500-3199 repeats 2000-2499 and 3000-3199; it joins 3000-3499, so RCV.NXT reaches 3500.
    h.send(at(90), data(p, 1500, 3199));
    h.expectSegment(ackWith(p, 3500, 2000, 2500, 4000, 4500));
    h.expectNothing();
  }

  @ParameterizedTest(name = "wrapped at 2^32: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName(
      "RFC 2883 §4.2.2 ex. 5, in order, RFC 2018 §4: the D-SACK block leaves the other blocks most recent first, and goes after one ACK")
  void example5InOrderKeepsRecencyOrder(boolean wrap) {
    Peer p = peer(wrap, 500, 2250);
    TcbHarness h = example5UpToRetransmission(p);
    h.send(at(82), data(p, 4000, 4499));
    h.expectSegment(ackWith(p, 1500, 4000, 4500, 2000, 2500, 3000, 3500));
    h.send(at(84), data(p, 3000, 3499)); // a duplicate of the oldest block makes it the newest
    h.expectSegment(ackWith(p, 1500, 3000, 3500, 3000, 3500, 4000, 4500, 2000, 2500));
    h.send(at(90), data(p, 1500, 2499));
    h.expectSegment(ackWith(p, 2500, 2000, 2500, 3000, 3500, 4000, 4500));
    h.send(at(100), data(p, 5000, 5499));
    h.expectSegment(ackWith(p, 2500, 5000, 5500, 3000, 3500, 4000, 4500));
    h.expectNothing();
  }

  @ParameterizedTest(name = "wrapped at 2^32: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName(
      "RFC 2883 §4.2.3 ex. 6: two duplicate subsegments above RCV.NXT: the first, then the merged block holding it")
  void example6TwoDuplicatesNotCoveredByAck(boolean wrap) {
    Peer p = peer(wrap, 500, 2250);
    TcbHarness h = established(p);
    inOrder(h, p, 10, 500, 999);
    // 1000-1499 dropped, 1500-1999 delayed, 2000-2499 dropped, 2500-2999 delayed,
    // 3000-3499 dropped
    h.send(at(60), data(p, 3500, 3999));
    h.expectSegment(ackWith(p, 1000, 3500, 4000));
    // 1000-1499 retransmitted and dropped again; 1500-2999 retransmitted, after the originals.
    h.send(at(70), data(p, 1500, 1999));
    h.expectSegment(ackWith(p, 1000, 1500, 2000, 3500, 4000));
    h.send(at(80), data(p, 2500, 2999));
    h.expectSegment(ackWith(p, 1000, 2500, 3000, 1500, 2000, 3500, 4000));
    h.send(at(90), data(p, 1500, 2999));
    h.expectSegment(ackWith(p, 1000, 1500, 2000, 1500, 3000, 3500, 4000));
    h.expectNothing();
    h.send(at(100), data(p, 3000, 3499));
    h.expectSegment(ackWith(p, 1000, 1500, 4000));
    h.expectNothing();
  }

  @ParameterizedTest(name = "wrapped at 2^32: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName(
      "RFC 2018 §2, RFC 2883 §4: without SACK negotiated, in-order data repeating held data gets a plain ACK")
  void noDsackWithoutSack(boolean wrap) {
    Peer p = peer(wrap, 500, 2250);
    TcbHarness h = new TcbHarness();
    TcpConfig config = TcbHarness.withTimestampsAndSack().withTimestamps(false);
    h.tcb = Tcb.connect(config, LOCAL_PORT, REMOTE_PORT, LOCAL_ISS, h, T0);
    h.send(T0, seg().flags(SYN | ACK).seq(p.seq(500) - 1).ack(LOCAL_SEQ).mss(MSS));
    h.clear();
    h.send(at(10), data(p, 2000, 2499));
    h.expectSegment(ackWith(p, 500));
    h.send(at(20), data(p, 500, 2299));
    h.expectSegment(ackWith(p, 2500));
    h.expectNothing();
  }
}
