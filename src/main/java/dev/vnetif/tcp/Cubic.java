package dev.vnetif.tcp;

/**
 * CUBIC congestion control (RFC 9438), with HyStart++ (RFC 9406) for the initial slow start: in
 * congestion avoidance the window follows {@code W_cubic(t) = C·(t − K)³ + W_max} of the time since
 * the last congestion event, never slower than Reno would grow ({@code W_est}); on loss it shrinks
 * by β = 0.7 rather than a half. Fast retransmit and fast recovery stay those of the caller (RFC
 * 5681 §3.2, RFC 6582), as RFC 9438 §4.6 leaves them.
 *
 * <p>Time comes only from the {@code nowNanos} arguments, the network's clock, so that it runs in
 * virtual time; the RTT comes from {@link #onRttSample}. Windows are kept in bytes as doubles, the
 * RFC's formulas in segments of SMSS. Not thread-safe: one instance belongs to one connection.
 */
public final class Cubic implements CongestionControl {

  /** RFC 9438 §5: C = 0.4 (segments per second cubed). */
  static final double C = 0.4;

  /** RFC 9438 §4.6: β_cubic = 0.7. */
  static final double BETA = 0.7;

  /** RFC 9438 §4.3: α_cubic = 3·(1 − β)/(1 + β), Reno's average rate at CUBIC's β. */
  static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

  private static final double NANOS_PER_SECOND = 1e9;

  private final int smss;
  private final int initialWindow;
  private final HyStartPlusPlus hystart;

  private double cwnd;
  private int ssthresh = Integer.MAX_VALUE;

  /** RFC 9438 §4.1: the window just before the last reduction; 0 before any, and after an RTO. */
  private double wMax;

  /** RFC 9438 §4.6: cwnd before the last reduction, where W_est's α becomes 1 (§4.3). */
  private double cwndPrior;

  private boolean inRecovery;

  /** A congestion avoidance epoch runs from its first ACK to the next congestion event. */
  private boolean epochStarted;

  private long epochStartNanos;
  private double cwndEpoch;
  private double kSeconds;

  /** RFC 9438 §4.3: the window Reno would have now, in bytes. */
  private double wEst;

  private boolean hasRtt;
  private long srttNanos;

  /**
   * @param smss the sender maximum segment size in bytes, 1..65535
   * @param initialWindowBytes the initial and restart window, 1..{@link NewReno#MAX_CWND}
   * @param hystart whether the initial slow start is HyStart++'s (RFC 9406) or RFC 5681's
   * @throws IllegalArgumentException when either size is out of range
   */
  public Cubic(int smss, int initialWindowBytes, boolean hystart) {
    InitialWindow.checkSmss(smss);
    if (initialWindowBytes < 1 || initialWindowBytes > NewReno.MAX_CWND) {
      throw new IllegalArgumentException(
          "initial window must be in [1, "
              + NewReno.MAX_CWND
              + "] bytes, got "
              + initialWindowBytes);
    }
    this.smss = smss;
    this.initialWindow = initialWindowBytes;
    this.cwnd = initialWindowBytes;
    this.hystart = hystart ? new HyStartPlusPlus(smss) : null;
  }

  /** CUBIC with HyStart++, as Linux runs it. */
  public Cubic(int smss, int initialWindowBytes) {
    this(smss, initialWindowBytes, true);
  }

  @Override
  public int cwnd() {
    return (int) Math.min(cwnd, NewReno.MAX_CWND);
  }

  @Override
  public int ssthresh() {
    return ssthresh;
  }

  @Override
  public void onRttSample(long rttNanos) {
    // The "smoothed round-trip time" of RFC 9438 §4.2's target, with RFC 6298's gain of 1/8.
    srttNanos = hasRtt ? (7 * srttNanos + rttNanos) / 8 : rttNanos;
    hasRtt = true;
    if (hystart != null) {
      hystart.onRttSample(rttNanos);
    }
  }

  @Override
  public void onAckAdvanced(int ack, int sndMax, long nowNanos) {
    if (hystart != null && hystart.onAckAdvanced(ack, sndMax) && cwnd < ssthresh) {
      // RFC 9406 §4.2: CSS_ROUNDS rounds of CSS are over: congestion avoidance from here.
      ssthresh = cwnd();
    }
  }

  @Override
  public void onAck(int bytesAcked, long nowNanos) {
    if (bytesAcked <= 0) {
      throw new IllegalArgumentException("bytesAcked must be > 0, got " + bytesAcked);
    }
    if (cwnd < ssthresh) {
      // RFC 9438 §4.10: slow start as RFC 5681 (or HyStart++ for the initial one, RFC 9406).
      boolean initial = hystart != null && hystart.active();
      setCwnd(cwnd + (initial ? hystart.onAck(bytesAcked) : Math.min(bytesAcked, smss)));
      return;
    }
    congestionAvoidance(bytesAcked, nowNanos);
  }

  private void congestionAvoidance(int bytesAcked, long nowNanos) {
    if (!epochStarted) {
      startEpoch(nowNanos);
    }
    double t = (nowNanos - epochStartNanos) / NANOS_PER_SECOND;
    double rtt = srttNanos / NANOS_PER_SECOND;
    // RFC 9438 §4.3: W_est grows by α_cubic segments per window acknowledged (Reno's rate at
    // CUBIC's β), and by 1 once it has reached the window before the last reduction.
    double alpha = wEst >= cwndPrior ? 1 : ALPHA;
    wEst += alpha * smss * bytesAcked / cwnd;
    if (windowAt(t) < wEst) {
      // RFC 9438 §4.3: the Reno-friendly region: cwnd follows W_est.
      setCwnd(Math.max(cwnd, wEst));
      return;
    }
    // RFC 9438 §4.2: the target is W_cubic one RTT ahead, clamped to [cwnd, 1.5·cwnd].
    double target = Math.min(Math.max(windowAt(t + rtt), cwnd), 1.5 * cwnd);
    // RFC 9438 §4.4 (concave) and §4.5 (convex): cwnd += (target − cwnd)/cwnd per segment
    // acknowledged — counted in segments, as Linux does, so delayed ACKs do not slow it.
    setCwnd(cwnd + (target - cwnd) * bytesAcked / cwnd);
  }

  /** RFC 9438 §4.2 eq. 1, in bytes: {@code W_cubic(t) = C·(t − K)³ + W_max}. */
  private double windowAt(double tSeconds) {
    double d = tSeconds - kSeconds;
    return (C * d * d * d) * smss + wMax;
  }

  /**
   * The first ACK of congestion avoidance after a congestion event (or after slow start): t counts
   * from here. RFC 9438 §4.2 eq. 2 with cwnd_epoch: {@code K = ∛((W_max − cwnd_epoch)/C)}; when
   * cwnd is already at or above W_max (slow start went past it, or an RTO cleared it, §4.8) the
   * curve starts at its plateau: K = 0 and W_max = cwnd.
   */
  private void startEpoch(long nowNanos) {
    epochStarted = true;
    epochStartNanos = nowNanos;
    cwndEpoch = cwnd;
    if (cwnd < wMax) {
      kSeconds = Math.cbrt((wMax - cwndEpoch) / smss / C);
    } else {
      kSeconds = 0;
      wMax = cwnd;
    }
    // RFC 9438 §4.3: W_est starts at cwnd_epoch.
    wEst = cwndEpoch;
  }

  @Override
  public void onFastRetransmit(int flightSize, long nowNanos) {
    if (flightSize < 0) {
      throw new IllegalArgumentException("flightSize must be >= 0, got " + flightSize);
    }
    reduce();
    inRecovery = true;
    // RFC 5681 §3.2 step 3: inflate by the three segments that left the network.
    setCwnd((double) ssthresh + 3.0 * smss);
  }

  /**
   * RFC 9438 §4.6 and §4.7: a congestion event. W_max remembers the window it happened at — less,
   * by fast convergence, when the window had not regained the last W_max (another flow is taking a
   * share) — and ssthresh becomes β·cwnd, at least two segments. cwnd rather than FlightSize, as
   * Linux and Windows do: an application-limited flight would shrink the window far too much.
   */
  private void reduce() {
    if (hystart != null) {
      hystart.onCongestion();
    }
    epochStarted = false;
    wMax = cwnd < wMax ? cwnd * (1 + BETA) / 2 : cwnd;
    cwndPrior = cwnd;
    // Rounded: β = 0.7 has no exact binary form, and 0.7·11000 would truncate to 7699.
    ssthresh = (int) Math.min(Math.round(Math.max(cwnd * BETA, 2.0 * smss)), NewReno.MAX_CWND);
  }

  @Override
  public void onDuplicateAckInRecovery() {
    // RFC 5681 §3.2 step 4: each further duplicate ACK means one more segment left the network.
    setCwnd(cwnd + smss);
  }

  @Override
  public void onPartialAck(int bytesAcked) {
    if (bytesAcked <= 0) {
      throw new IllegalArgumentException("bytesAcked must be > 0, got " + bytesAcked);
    }
    // RFC 6582 §3.2 step 5, as NewReno: deflate, add back one SMSS, never below one SMSS.
    setCwnd(Math.max(cwnd - bytesAcked + (bytesAcked >= smss ? smss : 0), smss));
  }

  @Override
  public void onRecoveryExit(int flightSizeAfterAck) {
    if (flightSizeAfterAck < 0) {
      throw new IllegalArgumentException(
          "flightSizeAfterAck must be >= 0, got " + flightSizeAfterAck);
    }
    inRecovery = false;
    // RFC 6582 §3.2 step 4, option (1): cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS).
    setCwnd(Math.min(ssthresh, (double) Math.max(flightSizeAfterAck, smss) + smss));
  }

  @Override
  public void onRetransmissionTimeout(int flightSize, long nowNanos) {
    if (flightSize < 0) {
      throw new IllegalArgumentException("flightSize must be >= 0, got " + flightSize);
    }
    if (inRecovery) {
      // The window is inflated and ssthresh already reduced for this loss: keep it, as Linux
      // does when recovery ends in a timeout.
      inRecovery = false;
      if (hystart != null) {
        hystart.onCongestion();
      }
    } else {
      reduce();
    }
    // RFC 9438 §4.8: cwnd as Reno after a timeout (RFC 5681 §3.1: one segment); the first
    // congestion avoidance after it starts its curve at its own window: K = 0, W_max = cwnd,
    // W_est = cwnd (startEpoch, with W_max cleared here).
    wMax = 0;
    epochStarted = false;
    cwnd = smss;
  }

  @Override
  public void onIdleRestart(long idleNanos, long nowNanos) {
    // RFC 5681 §4.1: cwnd = min(RW, cwnd) with RW = IW.
    cwnd = Math.min(cwnd, initialWindow);
    // The curve is a function of time spent sending: the idle time is not growth earned. Shift
    // the epoch by it, as Linux's cubic does when transmission starts again.
    if (epochStarted && idleNanos > 0) {
      epochStartNanos = Math.min(nowNanos, epochStartNanos + idleNanos);
    }
  }

  @Override
  public String name() {
    return "cubic";
  }

  // ---------------------------------------------------------------- read by the tests

  /** W_max in bytes. */
  double wMaxBytes() {
    return wMax;
  }

  /** K in seconds, of the running epoch. */
  double kSeconds() {
    return kSeconds;
  }

  /** W_est in bytes, of the running epoch. */
  double wEstBytes() {
    return wEst;
  }

  /** When the running epoch started; meaningful while {@link #epochStarted()}. */
  long epochStartNanos() {
    return epochStartNanos;
  }

  boolean epochStarted() {
    return epochStarted;
  }

  /** Null when the initial slow start is RFC 5681's. */
  HyStartPlusPlus hystart() {
    return hystart;
  }

  private void setCwnd(double bytes) {
    cwnd = Math.min(bytes, NewReno.MAX_CWND);
  }

  @Override
  public String toString() {
    return "Cubic[cwnd="
        + cwnd()
        + ", ssthresh="
        + ssthresh
        + ", wMax="
        + (long) wMax
        + ", k="
        + kSeconds
        + ", smss="
        + smss
        + "]";
  }
}
