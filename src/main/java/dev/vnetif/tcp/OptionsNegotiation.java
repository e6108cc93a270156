package dev.vnetif.tcp;

import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.Timestamps;

/**
 * The options exchanged on SYN and SYN-ACK and what they settle: the send MSS (RFC 9293 §3.7.1, RFC
 * 6691), window scaling (RFC 7323 §2), timestamps (RFC 7323 §3.2) and SACK-permitted (RFC 2018 §2).
 * Each is on only when both SYNs carried it; a SYN-ACK carries an option only if the SYN it answers
 * did.
 */
final class OptionsNegotiation {
  /** RFC 9293 §3.7.1: without an MSS option, assume 536 (576 − 40) for IPv4. */
  static final int DEFAULT_SEND_MSS = 536;

  /**
   * RFC 2018 §3: with the 12 bytes of timestamps, 3 SACK blocks fill the 40 bytes of options (12 +
   * 2 NOPs + 2 + 3·8 = 40).
   */
  static final int MAX_SACK_BLOCKS_WITH_TIMESTAMPS = 3;

  /** RFC 7323 §2.3: the largest shift. */
  static final int MAX_WINDOW_SCALE = 14;

  private OptionsNegotiation() {}

  /** The smallest shift that lets a 16-bit field describe the whole receive buffer. */
  static int windowScaleFor(int receiveBufferSize) {
    int shift = 0;
    while (shift < MAX_WINDOW_SCALE && (receiveBufferSize >>> shift) > 0xFFFF) {
      shift++;
    }
    return shift;
  }

  /**
   * Options for our SYN or SYN-ACK. On a SYN-ACK, window scale is offered only if the peer's SYN
   * offered it (RFC 7323 §2.2).
   */
  static TcpOptions synOptions(TcpConfig config, boolean offerWindowScale) {
    return synOptions(config, offerWindowScale, false, null);
  }

  /**
   * Options for our SYN or SYN-ACK: MSS, then SACK-permitted when {@code offerSack}, the timestamps
   * option when {@code timestamps} is not null, and window scale when {@code offerWindowScale} (RFC
   * 2018 §2, RFC 7323 §2.2, §3.2: on a SYN-ACK only what the SYN offered).
   */
  static TcpOptions synOptions(
      TcpConfig config, boolean offerWindowScale, boolean offerSack, Timestamps timestamps) {
    TcpOptions options = TcpOptions.NONE.withMss(config.mss());
    if (offerSack) {
      options = options.withSackPermitted();
    }
    if (timestamps != null) {
      options = options.withTimestamps(timestamps);
    }
    if (offerWindowScale) {
      options = options.withWindowScale(windowScaleFor(config.receiveBufferSize()));
    }
    return options;
  }

  /**
   * Applies the peer's SYN options: the send MSS, and both scale shifts when both sides offered
   * scaling (otherwise neither scales, RFC 7323 §2.2).
   */
  static void apply(
      TcpOptions peer,
      boolean weOfferedScale,
      TcpConfig config,
      SendSequence snd,
      ReceiveSequence rcv) {
    apply(peer, weOfferedScale, config, snd, rcv, null, 0);
  }

  /**
   * Applies the peer's SYN options: timestamps when we offered them ({@code ts} not null) and the
   * peer's SYN carried them (RFC 7323 §3.2), SACK when both allow it (RFC 2018 §2), then the MSS
   * less the 12 bytes timestamps take from every segment (RFC 7323 §3.2, RFC 6691) and the window
   * scale shifts.
   */
  static void apply(
      TcpOptions peer,
      boolean weOfferedScale,
      TcpConfig config,
      SendSequence snd,
      ReceiveSequence rcv,
      Timestamping ts,
      long now) {
    int optionBytes = 0;
    if (ts != null) {
      ts.negotiate(peer.timestamps(), rcv.rcvNxt(), now);
      optionBytes = ts.enabled() ? Timestamping.OPTION_BYTES : 0;
    }
    rcv.sackNegotiated(
        config.sack() && peer.sackPermitted(),
        optionBytes > 0 ? MAX_SACK_BLOCKS_WITH_TIMESTAMPS : TcpOptions.MAX_SACK_BLOCKS);
    int peerMss = peer.mss() > 0 ? peer.mss() : DEFAULT_SEND_MSS;
    int mss = Math.max(1, Math.min(peerMss, config.mss()) - optionBytes);
    if (weOfferedScale && peer.windowScale() >= 0) {
      snd.negotiated(mss, Math.min(peer.windowScale(), MAX_WINDOW_SCALE));
      rcv.negotiated(mss, windowScaleFor(config.receiveBufferSize()));
    } else {
      snd.negotiated(mss, 0);
      rcv.negotiated(mss, 0);
    }
  }
}
