package dev.vnetif.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.Timestamps;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link OptionsNegotiation} on its own: what our SYN offers and what the peer's SYN settles. */
class OptionsNegotiationTest {
  private static final TcpConfig CONFIG = TcpConfig.defaults(); // MSS 1460, 256 KiB buffers

  private final SendSequence snd = new SendSequence(1024);
  private final ReceiveSequence rcv =
      new ReceiveSequence(CONFIG.receiveBufferSize(), CONFIG.mss(), 8);

  // ------------------------------------------------------------------ window scale

  @Test
  @DisplayName(
      "RFC 7323 §2.3: the shift is the smallest that fits the buffer in 16 bits: 65535 → 0, 65536 → 1, 256 KiB → 3")
  void windowScaleForBuffer() {
    assertEquals(0, OptionsNegotiation.windowScaleFor(1));
    assertEquals(0, OptionsNegotiation.windowScaleFor(64_000));
    assertEquals(0, OptionsNegotiation.windowScaleFor(65_535));
    assertEquals(1, OptionsNegotiation.windowScaleFor(65_536));
    assertEquals(1, OptionsNegotiation.windowScaleFor(131_071));
    assertEquals(2, OptionsNegotiation.windowScaleFor(131_072));
    assertEquals(3, OptionsNegotiation.windowScaleFor(256 * 1024));
  }

  @Test
  @DisplayName("RFC 7323 §2.3: the shift never exceeds 14, even for a 1 GiB buffer")
  void windowScaleCappedAt14() {
    assertEquals(14, OptionsNegotiation.windowScaleFor(1 << 30));
    assertEquals(14, OptionsNegotiation.windowScaleFor(Integer.MAX_VALUE));
  }

  // ------------------------------------------------------------------ our SYN

  @Test
  @DisplayName(
      "RFC 9293 §3.7.1, RFC 7323 §2.2: our SYN offers our MSS and, when offered, the buffer's shift — never SACK-permitted or timestamps")
  void synOptions() {
    TcpOptions offered = OptionsNegotiation.synOptions(CONFIG, true);
    assertEquals(1460, offered.mss());
    assertEquals(3, offered.windowScale());
    assertFalse(offered.sackPermitted());
    assertNull(offered.timestamps());
    assertTrue(offered.sackBlocks().isEmpty());

    TcpOptions plain = OptionsNegotiation.synOptions(CONFIG.withMss(1200), false);
    assertEquals(TcpOptions.NONE.withMss(1200), plain);
  }

  // ------------------------------------------------------------------ the peer's SYN

  @Test
  @DisplayName(
      "RFC 9293 §3.7.1: without an MSS option the send MSS is 536; with one it is min(peer's, ours)")
  void sendMss() {
    OptionsNegotiation.apply(TcpOptions.NONE, false, CONFIG, snd, rcv);
    assertEquals(536, snd.effectiveMss());
    assertEquals(536, rcv.mss(), "the receiver's 'full-sized' follows the connection's MSS");
    OptionsNegotiation.apply(TcpOptions.NONE.withMss(1400), false, CONFIG, snd, rcv);
    assertEquals(1400, snd.effectiveMss());
    OptionsNegotiation.apply(TcpOptions.NONE.withMss(9000), false, CONFIG, snd, rcv);
    assertEquals(1460, snd.effectiveMss());
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.7.1: an MSS option of 0 counts as absent (536), never a zero-byte segment size")
  void zeroMssIsAbsent() {
    OptionsNegotiation.apply(TcpOptions.NONE.withMss(0), false, CONFIG, snd, rcv);
    assertEquals(536, snd.effectiveMss());
  }

  @Test
  @DisplayName(
      "RFC 7323 §2.2: both sides offered scaling → we shift by ours, the peer's windows by its shift")
  void bothOfferedScaling() {
    OptionsNegotiation.apply(
        TcpOptions.NONE.withMss(1460).withWindowScale(7), true, CONFIG, snd, rcv);
    assertEquals(7, snd.sndScale());
    assertEquals(3, rcv.rcvScale());
  }

  @Test
  @DisplayName("RFC 7323 §2.2: if either side did not offer scaling, neither direction is scaled")
  void scalingNeedsBothOffers() {
    OptionsNegotiation.apply(TcpOptions.NONE.withWindowScale(7), false, CONFIG, snd, rcv);
    assertEquals(0, snd.sndScale());
    assertEquals(0, rcv.rcvScale());
    OptionsNegotiation.apply(TcpOptions.NONE.withMss(1460), true, CONFIG, snd, rcv);
    assertEquals(0, snd.sndScale());
    assertEquals(0, rcv.rcvScale());
  }

  @Test
  @DisplayName(
      "RFC 2018 §2, RFC 7323 §3.2: a peer's SACK-permitted and timestamps settle nothing; MSS and scaling settle as without them")
  void sackAndTimestampsChangeNothing() {
    TcpOptions linux =
        TcpOptions.NONE
            .withMss(1400)
            .withSackPermitted()
            .withTimestamps(new Timestamps(1, 0))
            .withWindowScale(7);
    OptionsNegotiation.apply(linux, true, CONFIG, snd, rcv);
    assertEquals(1400, snd.effectiveMss());
    assertEquals(7, snd.sndScale());
    assertEquals(3, rcv.rcvScale());
  }
}
