package dev.vnetif.tcp;

/**
 * NewReno congestion control: slow start and congestion avoidance of RFC 5681 §3.1, fast retransmit
 * and fast recovery of RFC 5681 §3.2 with the partial-ACK handling of RFC 6582 §3.2.
 *
 * <p>Window arithmetic only; see {@link CongestionControl} for what the caller decides. Time is not
 * used. Not thread-safe: one instance belongs to one connection.
 */
public final class NewReno implements CongestionControl {

  /** No window grows beyond 1 GiB, so int arithmetic on it never overflows. */
  public static final int MAX_CWND = 1 << 30;

  private final int smss;
  private final int initialWindow;
  private int cwnd;
  private int ssthresh = Integer.MAX_VALUE;

  /** Between a fast retransmit and the end of its recovery (a full ACK or a timeout). */
  private boolean inRecovery;

  /**
   * @param smss the sender maximum segment size in bytes, 1..65535
   * @param initialWindowBytes the initial and restart window (see {@link InitialWindow}), 1..{@link
   *     #MAX_CWND}
   * @throws IllegalArgumentException when either is out of range
   */
  public NewReno(int smss, int initialWindowBytes) {
    InitialWindow.checkSmss(smss);
    if (initialWindowBytes < 1 || initialWindowBytes > MAX_CWND) {
      throw new IllegalArgumentException(
          "initial window must be in [1, " + MAX_CWND + "] bytes, got " + initialWindowBytes);
    }
    this.smss = smss;
    this.initialWindow = initialWindowBytes;
    // RFC 5681 §3.1: cwnd starts at IW.
    this.cwnd = initialWindowBytes;
  }

  @Override
  public int cwnd() {
    return cwnd;
  }

  @Override
  public int ssthresh() {
    return ssthresh;
  }

  @Override
  public void onAck(int bytesAcked, long nowNanos) {
    checkPositive("bytesAcked", bytesAcked);
    if (cwnd < ssthresh) {
      // RFC 5681 §3.1 eq. 2, slow start: cwnd += min(N, SMSS).
      setCwnd((long) cwnd + Math.min(bytesAcked, smss));
    } else {
      // RFC 5681 §3.1 eq. 3, congestion avoidance: cwnd += SMSS*SMSS/cwnd per ACK, at least
      // one byte ("if the above formula yields 0, the result SHOULD be rounded up to 1 byte").
      setCwnd((long) cwnd + Math.max(1L, (long) smss * smss / cwnd));
    }
  }

  @Override
  public void onFastRetransmit(int flightSize, long nowNanos) {
    checkNonNegative("flightSize", flightSize);
    // RFC 5681 §3.2 step 2 (eq. 4), RFC 6582 §3.2 step 2: ssthresh = max(FlightSize / 2, 2*SMSS).
    ssthresh = lossThreshold(flightSize);
    inRecovery = true;
    // RFC 5681 §3.2 step 3: cwnd = ssthresh + 3*SMSS, for the three segments that left the network.
    setCwnd((long) ssthresh + 3L * smss);
  }

  @Override
  public void onDuplicateAckInRecovery() {
    // RFC 5681 §3.2 step 4: each further duplicate ACK means one more segment left the network.
    setCwnd((long) cwnd + smss);
  }

  @Override
  public void onPartialAck(int bytesAcked) {
    checkPositive("bytesAcked", bytesAcked);
    // RFC 6582 §3.2 step 5: deflate by the data acknowledged; add back SMSS if at least SMSS
    // was acknowledged. The RFC leaves a result below one segment undefined; we keep one SMSS
    // so the sender can always retransmit.
    long deflated = (long) cwnd - bytesAcked + (bytesAcked >= smss ? smss : 0);
    setCwnd(Math.max(deflated, smss));
  }

  @Override
  public void onRecoveryExit(int flightSizeAfterAck) {
    checkNonNegative("flightSizeAfterAck", flightSizeAfterAck);
    inRecovery = false;
    // RFC 6582 §3.2 step 4, option (1): cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS),
    // which avoids a burst when little data is outstanding.
    setCwnd(Math.min((long) ssthresh, (long) Math.max(flightSizeAfterAck, smss) + smss));
  }

  @Override
  public void onRetransmissionTimeout(int flightSize, long nowNanos) {
    checkNonNegative("flightSize", flightSize);
    // RFC 5681 §3.1 eq. 4: ssthresh = max(FlightSize / 2, 2*SMSS) — "no more than" that. A
    // timeout during fast recovery (a retransmission was lost too) keeps the lower ssthresh the
    // recovery set: FlightSize then counts everything sent since, SACKed data included, and half
    // of it can exceed the window the loss happened at, so a timeout would raise ssthresh. Linux
    // keeps the recovery's ssthresh too (tcp_enter_loss), as our CUBIC does.
    int threshold = lossThreshold(flightSize);
    ssthresh = inRecovery ? Math.min(ssthresh, threshold) : threshold;
    inRecovery = false;
    // RFC 5681 §3.1: after a timeout cwnd is the loss window, one full-sized segment.
    cwnd = smss;
  }

  @Override
  public void onIdleRestart(long idleNanos, long nowNanos) {
    // RFC 5681 §4.1: cwnd = min(RW, cwnd) with the restart window RW = min(IW, cwnd).
    cwnd = Math.min(cwnd, initialWindow);
  }

  @Override
  public String name() {
    return "newreno";
  }

  private int lossThreshold(int flightSize) {
    return Math.max(flightSize / 2, 2 * smss);
  }

  private void setCwnd(long bytes) {
    cwnd = (int) Math.min(bytes, MAX_CWND);
  }

  private static void checkPositive(String what, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(what + " must be > 0, got " + value);
    }
  }

  private static void checkNonNegative(String what, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(what + " must be >= 0, got " + value);
    }
  }

  @Override
  public String toString() {
    return "NewReno[cwnd=" + cwnd + ", ssthresh=" + ssthresh + ", smss=" + smss + "]";
  }
}
