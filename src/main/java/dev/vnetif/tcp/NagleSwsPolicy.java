package dev.vnetif.tcp;

/**
 * When a segment shorter than the MSS may go now: Nagle's algorithm (RFC 896, RFC 1122 §4.2.3.4)
 * together with sender-side silly window syndrome avoidance (RFC 9293 §3.8.6.2.1, RFC 1122
 * §4.2.3.4). Stateless: the sender passes what it knows, the policy answers; one constant per
 * configuration, shared by every connection.
 *
 * <p>RFC 1122 §4.2.3.4 sends a segment when it is full-sized; or when it carries everything queued
 * and either nothing holds it back (Nagle) or the data asked for no delay; or when it is at least
 * half the largest window the peer ever offered. The constants differ in what holds the tail of the
 * data back.
 */
enum NagleSwsPolicy {
  /** Nagle off ({@code TCP_NODELAY} for every write): a tail is never held back. */
  NO_DELAY {
    @Override
    boolean holdsTail(boolean anyInFlight, boolean smallSegmentInFlight) {
      return false;
    }
  },

  /** RFC 896 as written: a tail waits while any data is unacknowledged. */
  CLASSIC {
    @Override
    boolean holdsTail(boolean anyInFlight, boolean smallSegmentInFlight) {
      return anyInFlight;
    }
  },

  /**
   * Minshall's variant (draft-minshall-nagle, as Linux's tcp_minshall_check): a tail waits only
   * while an earlier segment shorter than the MSS is unacknowledged. The short tail of a reply that
   * follows full segments goes at once instead of waiting for the peer's delayed ACK, while a
   * stream of small writes is still coalesced.
   */
  MINSHALL {
    @Override
    boolean holdsTail(boolean anyInFlight, boolean smallSegmentInFlight) {
      return smallSegmentInFlight;
    }
  };

  /** The policy {@code nagle} and {@code nagle-minshall} select. */
  static NagleSwsPolicy of(TcpConfig config) {
    if (!config.nagle()) {
      return NO_DELAY;
    }
    return config.minshallNagle() ? MINSHALL : CLASSIC;
  }

  /** Whether a tail (everything queued, shorter than the MSS) must wait for an ACK. */
  abstract boolean holdsTail(boolean anyInFlight, boolean smallSegmentInFlight);

  /**
   * Whether a segment of {@code length} bytes (already within both windows) goes now.
   *
   * @param length the bytes the windows allow now, at most one MSS
   * @param unsent the bytes queued and not yet sent ({@code length <= unsent})
   * @param mss the effective send MSS
   * @param maxSndWnd the largest window the peer ever offered (0: none yet)
   * @param nodelay the data at SND.NXT was written with no delay
   * @param anyInFlight data is sent and unacknowledged
   * @param smallSegmentInFlight a segment shorter than the MSS is sent and unacknowledged
   */
  boolean sendNow(
      int length,
      int unsent,
      int mss,
      int maxSndWnd,
      boolean nodelay,
      boolean anyInFlight,
      boolean smallSegmentInFlight) {
    if (length >= mss) {
      return true;
    }
    if (length == unsent && (nodelay || !holdsTail(anyInFlight, smallSegmentInFlight))) {
      return true;
    }
    // Sender SWS avoidance: anything else short (a part of the queue, or a tail Nagle holds)
    // goes only if it is at least half the largest window the peer offered (Fs = 1/2).
    return maxSndWnd > 0 && length >= maxSndWnd / 2;
  }
}
