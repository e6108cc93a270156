package dev.vnetif.tcp;

import dev.vnetif.wire.SeqNum;

/**
 * HyStart++ (RFC 9406 §4): the initial slow start, left early when the round-trip time rises — a
 * queue is building — through a Conservative Slow Start (CSS) that grows a quarter as fast and
 * returns to slow start if the rise proves spurious, before congestion avoidance.
 *
 * <p>The owning {@link CongestionControl} feeds it RTT samples ({@link #onRttSample}), round
 * boundaries ({@link #onAckAdvanced}) and the ACKs of slow start ({@link #onAck}), and hands it
 * {@link #onCongestion()} at the first loss: HyStart++ is used for the initial slow start only (RFC
 * 9406 §4.2), later slow starts are RFC 5681's. When {@link #onAckAdvanced} returns true, CSS has
 * run its rounds and the owner enters congestion avoidance with {@code ssthresh = cwnd}.
 *
 * <p>Our sender does not pace, so the per-ACK growth limit L is 8 segments (RFC 9406 §4.3). Not
 * thread-safe: one instance belongs to one connection.
 */
final class HyStartPlusPlus {

  /** RFC 9406 §4.3: the constants it recommends. */
  static final long MIN_RTT_THRESH_NANOS = 4_000_000;

  static final long MAX_RTT_THRESH_NANOS = 16_000_000;
  static final int MIN_RTT_DIVISOR = 8;
  static final int N_RTT_SAMPLE = 8;
  static final int CSS_GROWTH_DIVISOR = 4;
  static final int CSS_ROUNDS = 5;

  /** RFC 9406 §4.3: L = 8 for a sender that does not pace. */
  static final int L = 8;

  private static final long NONE = Long.MAX_VALUE;

  /** Where the initial slow start is. */
  enum Phase {
    SLOW_START,
    CONSERVATIVE_SLOW_START,
    /** Left for good: congestion avoidance, or a loss ended the initial slow start. */
    DONE
  }

  private final int smss;
  private Phase phase = Phase.SLOW_START;

  private boolean roundStarted;

  /** RFC 9406 §4.2: the round ends when SND.UNA reaches this, SND.NXT at the round's start. */
  private int windowEnd;

  private long lastRoundMinRtt = NONE;
  private long currentRoundMinRtt = NONE;
  private int rttSampleCount;
  private long cssBaselineMinRtt = NONE;
  private int cssRounds;

  /** The sample that came with the ACK being processed, counted in the round that ACK is in. */
  private long pendingSample = NONE;

  HyStartPlusPlus(int smss) {
    this.smss = smss;
  }

  Phase phase() {
    return phase;
  }

  /** Whether the initial slow start, in either of its two speeds, is still going on. */
  boolean active() {
    return phase != Phase.DONE;
  }

  /** The minimum RTT of the round before this one, or {@link Long#MAX_VALUE} if none. */
  long lastRoundMinRttNanos() {
    return lastRoundMinRtt;
  }

  /** The minimum RTT of this round so far, or {@link Long#MAX_VALUE} if none. */
  long currentRoundMinRttNanos() {
    return currentRoundMinRtt;
  }

  /** The CSS rounds completed so far. */
  int cssRounds() {
    return cssRounds;
  }

  void onRttSample(long rttNanos) {
    if (active()) {
      pendingSample = rttNanos;
    }
  }

  /**
   * RFC 9406 §4.2: an ACK moved SND.UNA to {@code ack}; when it reaches {@code windowEnd} a round
   * ends and the next starts with {@code windowEnd = sndMax}. Returns true when this completed the
   * last CSS round: the owner enters congestion avoidance with {@code ssthresh = cwnd}.
   */
  boolean onAckAdvanced(int ack, int sndMax) {
    if (!active() || roundStarted && SeqNum.lt(ack, windowEnd)) {
      return false;
    }
    if (roundStarted && phase == Phase.CONSERVATIVE_SLOW_START && ++cssRounds >= CSS_ROUNDS) {
      // RFC 9406 §4.2: "If CSS_ROUNDS rounds are complete, enter congestion avoidance".
      phase = Phase.DONE;
      return true;
    }
    roundStarted = true;
    windowEnd = sndMax;
    lastRoundMinRtt = currentRoundMinRtt;
    currentRoundMinRtt = NONE;
    rttSampleCount = 0;
    return false;
  }

  /**
   * An ACK of {@code bytesAcked} new bytes in the initial slow start: returns by how many bytes
   * cwnd grows (RFC 9406 §4.2: {@code min(N, L*SMSS)} in slow start, a {@code
   * CSS_GROWTH_DIVISOR}-th of it in CSS), then takes the ACK's RTT sample into the round and checks
   * whether the delay moves the phase.
   */
  double onAck(int bytesAcked) {
    double growth = Math.min(bytesAcked, (long) L * smss);
    if (phase == Phase.CONSERVATIVE_SLOW_START) {
      growth /= CSS_GROWTH_DIVISOR;
    }
    if (pendingSample != NONE) {
      currentRoundMinRtt = Math.min(currentRoundMinRtt, pendingSample);
      rttSampleCount++;
      pendingSample = NONE;
    }
    if (rttSampleCount >= N_RTT_SAMPLE && currentRoundMinRtt != NONE) {
      if (phase == Phase.SLOW_START && lastRoundMinRtt != NONE) {
        // RFC 9406 §4.2: RttThresh = max(MIN_RTT_THRESH, min(lastRoundMinRTT / MIN_RTT_DIVISOR,
        // MAX_RTT_THRESH)); a rise by as much means a queue is building: on to CSS.
        long threshold =
            Math.max(
                MIN_RTT_THRESH_NANOS,
                Math.min(lastRoundMinRtt / MIN_RTT_DIVISOR, MAX_RTT_THRESH_NANOS));
        if (currentRoundMinRtt >= lastRoundMinRtt + threshold) {
          cssBaselineMinRtt = currentRoundMinRtt;
          cssRounds = 0;
          phase = Phase.CONSERVATIVE_SLOW_START;
        }
      } else if (phase == Phase.CONSERVATIVE_SLOW_START && currentRoundMinRtt < cssBaselineMinRtt) {
        // RFC 9406 §4.2: the RTT fell below the baseline, so the rise was spurious: resume slow
        // start.
        cssBaselineMinRtt = NONE;
        phase = Phase.SLOW_START;
      }
    }
    return growth;
  }

  /** RFC 9406 §4.2: a loss ends the initial slow start; HyStart++ is not used again. */
  void onCongestion() {
    phase = Phase.DONE;
  }

  @Override
  public String toString() {
    return "HyStart++[" + phase + ", cssRounds=" + cssRounds + "]";
  }
}
