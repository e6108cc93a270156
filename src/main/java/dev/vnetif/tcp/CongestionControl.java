package dev.vnetif.tcp;

/**
 * The congestion window arithmetic of one connection's sender (RFC 5681, RFC 6582), pluggable so
 * that NewReno and CUBIC (RFC 9438) can be swapped by configuration.
 *
 * <p>Only the arithmetic lives here. The caller detects loss, counts duplicate ACKs, keeps the
 * "recover" point of RFC 6582 §3.2, decides whether an ACK is partial or full and whether the
 * connection was idle, and then calls the one method that matches the event. Sizes are in bytes;
 * {@code nowNanos} is the caller's clock, which window algorithms that depend on time (CUBIC) use
 * and others ignore.
 *
 * <p>Implementations are not thread-safe: one instance belongs to one connection.
 */
public interface CongestionControl {

  /** The congestion window in bytes: how much unacknowledged data the sender may have in flight. */
  int cwnd();

  /**
   * The slow start threshold in bytes; {@link Integer#MAX_VALUE} until the first loss ("arbitrarily
   * high", RFC 5681 §3.1).
   */
  int ssthresh();

  /**
   * New data was acknowledged outside fast recovery: grow the window by slow start or congestion
   * avoidance (RFC 5681 §3.1).
   *
   * @param bytesAcked the bytes newly acknowledged by this ACK, greater than 0
   * @throws IllegalArgumentException when {@code bytesAcked <= 0}
   */
  void onAck(int bytesAcked, long nowNanos);

  /**
   * The third duplicate ACK arrived and the caller retransmits and enters fast recovery (RFC 5681
   * §3.2 steps 2-3, RFC 6582 §3.2 step 2).
   *
   * @param flightSize SND.NXT - SND.UNA in bytes, at least 0
   */
  void onFastRetransmit(int flightSize, long nowNanos);

  /** A further duplicate ACK during fast recovery: inflate the window (RFC 5681 §3.2 step 4). */
  void onDuplicateAckInRecovery();

  /**
   * A partial ACK during fast recovery (RFC 6582 §3.2 step 5): deflate the window by the bytes it
   * acknowledged, adding one SMSS back if it acknowledged at least one SMSS.
   *
   * @param bytesAcked the bytes newly acknowledged by this ACK, greater than 0
   */
  void onPartialAck(int bytesAcked);

  /**
   * A full ACK ends fast recovery (RFC 6582 §3.2 step 4): the window becomes {@code min(ssthresh,
   * max(flightSize, SMSS) + SMSS)}.
   *
   * @param flightSizeAfterAck SND.NXT - SND.UNA in bytes, measured after this ACK, at least 0
   */
  void onRecoveryExit(int flightSizeAfterAck);

  /**
   * The retransmission timer expired (RFC 5681 §3.1, equation 4 and the "loss window"): {@code
   * ssthresh = max(flightSize / 2, 2 * SMSS)}, {@code cwnd = 1 SMSS}.
   *
   * <p>RFC 5681 §3.1 holds ssthresh constant when the same segment times out again; the caller
   * honours that by calling this only for the first timeout of a segment (the window is already one
   * SMSS for the later ones).
   *
   * @param flightSize SND.NXT - SND.UNA in bytes, at least 0
   */
  void onRetransmissionTimeout(int flightSize, long nowNanos);

  /**
   * The connection sent nothing for longer than one RTO (RFC 5681 §4.1): the window shrinks to at
   * most the restart window, which is the initial window.
   *
   * @param idleNanos how long nothing was sent, so that algorithms that grow with time (CUBIC) do
   *     not count the idle time as time spent growing
   */
  void onIdleRestart(long idleNanos, long nowNanos);

  /**
   * A round-trip time was measured (RFC 6298 §2, or from a timestamp echo): algorithms that look at
   * delay (CUBIC's target, HyStart++) keep it; others ignore it. Called before the ACK that carried
   * the sample reaches {@link #onAck} or the recovery methods.
   *
   * @param rttNanos the sample, at least 0
   */
  default void onRttSample(long rttNanos) {}

  /**
   * A cumulative ACK for new data arrived, in or out of recovery, before {@link #onAck}, {@link
   * #onPartialAck} or {@link #onRecoveryExit}: {@code ack} is the new SND.UNA and {@code sndMax}
   * the highest sequence number sent so far. Algorithms that count round trips (HyStart++, RFC 9406
   * §4.2: a round ends when the data sent at its start is acknowledged) keep their rounds from it.
   */
  default void onAckAdvanced(int ack, int sndMax, long nowNanos) {}

  /** The algorithm's name as the configuration spells it, e.g. {@code "newreno"}. */
  String name();
}
