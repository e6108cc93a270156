package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_ISS;
import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
import static dev.vnetif.tcp.TcbHarness.MSS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_ISS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_SEQ;
import static dev.vnetif.tcp.TcbHarness.WINDOW;
import static dev.vnetif.tcp.TcbHarness.at;
import static dev.vnetif.tcp.TcbHarness.out;
import static dev.vnetif.tcp.TcbHarness.pattern;
import static dev.vnetif.tcp.TcbHarness.seg;
import static dev.vnetif.wire.TcpSegment.ACK;
import static dev.vnetif.wire.TcpSegment.PSH;
import static dev.vnetif.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vnetif.tcp.TcbTimers.Kind;
import dev.vnetif.wire.SackBlock;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.Timestamps;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * SACK (RFC 2018) and timestamps (RFC 7323 §3) turned off in {@link TcpConfig} (the harness's
 * fixture config): a peer's offer on its SYN is not taken up, so neither is negotiated, and the
 * options on later segments are ignored while the segments themselves are processed as usual. MSS
 * and window scale are settled alongside. With them on, see {@link TcbTimestampsTest} and {@link
 * TcbSackTest}.
 */
class TcbOptionsTest {
  private static final Timestamps PEER_TS = new Timestamps(123_456, 0);

  /** Everything a Linux SYN offers: MSS 1400, SACK-permitted, timestamps, window scale 7. */
  private static final TcpOptions LINUX_SYN_OPTIONS =
      TcpOptions.NONE.withMss(1400).withSackPermitted().withTimestamps(PEER_TS).withWindowScale(7);

  /** LISTEN received {@link #LINUX_SYN_OPTIONS}; our SYN-ACK is taken off the record. */
  private static TcbHarness synReceivedFromLinuxSyn() {
    TcbHarness h = TcbHarness.listen();
    h.send(at(0), seg().flags(SYN).seq(REMOTE_ISS).ack(0).options(LINUX_SYN_OPTIONS));
    h.clear();
    return h;
  }

  private static TcpOptions timestampsOnly(int value, int echo) {
    return TcpOptions.NONE.withTimestamps(new Timestamps(value, echo));
  }

  private static TcpOptions sackBlocks(SackBlock... blocks) {
    return TcpOptions.NONE.withSackBlocks(List.of(blocks));
  }

  // ------------------------------------------------------------------ the SYN-ACK

  @Test
  @DisplayName(
      "RFC 2018 §2, RFC 7323 §3.2, §2.2, TcpConfig timestamps and sack off: a SYN with SACK-permitted, timestamps and window scale gets a SYN-ACK with MSS and window scale only")
  void synAckOmitsSackPermittedAndTimestamps() {
    TcbHarness h = TcbHarness.listen();
    h.send(at(0), seg().flags(SYN).seq(REMOTE_ISS).ack(0).options(LINUX_SYN_OPTIONS));
    // Our shift for the 64000-byte buffer is 0; SACK-permitted may be sent on a SYN-ACK only
    // if we do SACK, TSopt only if we echo timestamps — this configuration does neither.
    h.expectSegment(
        out()
            .flags(SYN | ACK)
            .seq(LOCAL_ISS)
            .ack(REMOTE_SEQ)
            .options(TcpOptions.NONE.withMss(MSS).withWindowScale(0)));
    h.expectNothing();
    h.expectState(TcpState.SYN_RECEIVED);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.7.1, RFC 7323 §2.3: from that SYN the send MSS is min(1400, 1460) and the peer's windows are scaled by 2^7")
  void mssAndWindowScaleSettleAlongsideIgnoredOptions() {
    TcbHarness h = synReceivedFromLinuxSyn();
    h.send(
        at(5),
        seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).window(500).options(timestampsOnly(123_460, 0)));
    h.expectNothing();
    h.expectState(TcpState.ESTABLISHED);
    h.expectEvent(TcbEvent.Established.class);
    assertEquals(1400, h.tcb.stats().sendMss());
    assertEquals(500 << 7, h.tcb.stats().sendWindow());
    // Data goes out in 1400-byte segments and without options.
    h.write(pattern(0, 2800), false);
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ).payload(pattern(0, 1400)));
    h.expectSegment(
        out().flags(ACK | PSH).seq(LOCAL_SEQ + 1400).ack(REMOTE_SEQ).payload(pattern(1400, 1400)));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 2018 §2, RFC 7323 §3.2: a SYN-ACK carrying SACK-permitted and timestamps we never offered still establishes; our ACK has no options")
  void synAckWithUnofferedOptionsEstablishes() {
    TcbHarness h = TcbHarness.synSent();
    h.send(
        at(5),
        seg()
            .flags(SYN | ACK)
            .seq(REMOTE_ISS)
            .ack(LOCAL_SEQ)
            .options(TcpOptions.NONE.withMss(MSS).withSackPermitted().withTimestamps(PEER_TS)));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectNothing();
    h.expectState(TcpState.ESTABLISHED);
    h.expectEvent(TcbEvent.Established.class);
  }

  // ------------------------------------------------------------------ later segments

  @Test
  @DisplayName(
      "RFC 7323 §3.2: TSopt on a connection that did not negotiate it is ignored and the segment processed normally: data delivered, plain delayed ACK")
  void timestampsOnDataAreIgnored() {
    TcbHarness h = synReceivedFromLinuxSyn();
    h.send(
        at(5),
        seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).window(500).options(timestampsOnly(123_460, 0)));
    h.clear();
    h.send(
        at(10),
        seg()
            .seq(REMOTE_SEQ)
            .ack(LOCAL_SEQ)
            .window(500)
            .payload("abc")
            .options(timestampsOnly(123_470, 0)));
    h.expectEvent(new TcbEvent.DataReceived(ByteString.fromString("abc")));
    h.expectNothing();
    h.tick(at(50)); // the 40 ms delayed ACK, with no TSecr echoed
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 3).window(WINDOW - 3));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 2018 §2: SACK-permitted was not answered, so out-of-order data gets an immediate duplicate ACK without SACK blocks")
  void noSackBlocksWhenSackWasNotNegotiated() {
    TcbHarness h = synReceivedFromLinuxSyn();
    h.send(at(5), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).window(500));
    h.clear();
    h.send(
        at(10),
        seg()
            .seq(REMOTE_SEQ + 100)
            .ack(LOCAL_SEQ)
            .window(500)
            .payload("later")
            .options(timestampsOnly(123_470, 0)));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectNothing();
    h.expectNoEvent();
  }

  @Test
  @DisplayName(
      "RFC 2018 §2, RFC 9293 §3.10.7.4 (fifth): an ACK carrying SACK blocks is processed by its cumulative ACK alone")
  void sackBlocksOnAnAckAreIgnored() {
    TcbHarness h = TcbHarness.established();
    h.write("hello");
    h.expectSegment(out().flags(ACK | PSH).seq(LOCAL_SEQ).ack(REMOTE_SEQ).payload("hello"));
    h.clear();
    h.send(
        at(10),
        seg()
            .seq(REMOTE_SEQ)
            .ack(LOCAL_SEQ + 5)
            .options(sackBlocks(new SackBlock(LOCAL_SEQ + 100, LOCAL_SEQ + 200))));
    h.expectNothing();
    h.expectEvent(new TcbEvent.DataAcknowledged(5, WINDOW));
    assertEquals(TcbTimers.OFF, h.tcb.timers().deadline(Kind.RETRANSMIT));
  }

  @Test
  @DisplayName(
      "RFC 5681 §3.2, RFC 2018: duplicate ACKs carrying SACK blocks are still duplicates; the third fast-retransmits only the segment at SND.UNA")
  void duplicateAcksWithSackBlocksFastRetransmit() {
    TcbHarness h = TcbHarness.established();
    h.write(pattern(0, 10 * MSS), false);
    h.clear();
    // The peer lost segment 1 and SACKs 2, 2–3, 2–4: no SACK-based recovery, plain NewReno.
    for (int i = 1; i <= 3; i++) {
      h.expectNothing();
      h.send(
          at(10 + i),
          seg()
              .seq(REMOTE_SEQ)
              .ack(LOCAL_SEQ)
              .options(sackBlocks(new SackBlock(LOCAL_SEQ + MSS, LOCAL_SEQ + (i + 1) * MSS))));
    }
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ).payload(pattern(0, MSS)));
    h.expectNothing();
    assertEquals(1, h.tcb.stats().fastRetransmits());
  }
}
