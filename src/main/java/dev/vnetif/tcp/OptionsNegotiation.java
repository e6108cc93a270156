package dev.vnetif.tcp;

import dev.vnetif.wire.TcpOptions;

/**
 * The options exchanged on SYN and SYN-ACK and what they settle: the send MSS (RFC 9293 §3.7.1, RFC
 * 6691) and window scaling (RFC 7323 §2). SACK-permitted and timestamps are parsed by the wire
 * layer and not negotiated yet: we never offer them, so a peer's offer is simply not taken up.
 */
final class OptionsNegotiation {
  /** RFC 9293 §3.7.1: without an MSS option, assume 536 (576 − 40) for IPv4. */
  static final int DEFAULT_SEND_MSS = 536;

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
    TcpOptions options = TcpOptions.NONE.withMss(config.mss());
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
    int peerMss = peer.mss() > 0 ? peer.mss() : DEFAULT_SEND_MSS;
    int mss = Math.max(1, Math.min(peerMss, config.mss()));
    if (weOfferedScale && peer.windowScale() >= 0) {
      snd.negotiated(mss, Math.min(peer.windowScale(), MAX_WINDOW_SCALE));
      rcv.negotiated(mss, windowScaleFor(config.receiveBufferSize()));
    } else {
      snd.negotiated(mss, 0);
      rcv.negotiated(mss, 0);
    }
  }
}
