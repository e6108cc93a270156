package dev.vnetif.cli;

import java.time.Duration;

/**
 * The two classic models of a Reno-style TCP's steady-state throughput under random loss, which
 * {@code vnetif goodput} prints next to what it measured.
 *
 * <ul>
 *   <li>Mathis, Semke, Mahdavi, Ott, "The macroscopic behavior of the TCP congestion avoidance
 *       algorithm" (CCR 1997): {@code MSS / RTT * C / sqrt(p)} with {@code C = sqrt(3/2) ~ 1.22}.
 *       It knows no timeouts, so it is an upper bound once losses cost retransmission timeouts.
 *   <li>Padhye, Firoiu, Towsley, Kurose, "Modeling TCP throughput: a simple model and its empirical
 *       validation" (SIGCOMM 1998), eq. 31 without the window limit ("PFTK"): {@code 1 / (RTT
 *       sqrt(2bp/3) + T0 min(1, 3 sqrt(3bp/8)) p (1 + 32 p^2))} segments a second, which adds the
 *       time lost in timeouts, each {@code T0} long.
 * </ul>
 *
 * <p>Both give bits of payload a second: segments a second times the MSS in bits.
 */
final class GoodputModels {

  /** Mathis et al.'s constant for periodic loss with an ACK per segment: sqrt(3/2). */
  static final double MATHIS_C = 1.22;

  /**
   * Segments acknowledged by one ACK in PFTK's {@code b}. Two: a receiver that delays its ACKs (RFC
   * 1122 §4.2.3.2, RFC 5681 §4.2) acknowledges every second segment, which is what the model's
   * authors assumed and what the precomputed figures use.
   */
  static final int PFTK_SEGMENTS_PER_ACK = 2;

  private GoodputModels() {}

  /** Mathis: {@code MSS*8 / RTT * 1.22 / sqrt(p)} bits a second; infinite without loss. */
  static double mathisBitsPerSecond(int mssBytes, Duration rtt, double lossProbability) {
    check(mssBytes, rtt, lossProbability);
    return mssBytes * 8.0 / seconds(rtt) * MATHIS_C / Math.sqrt(lossProbability);
  }

  /**
   * PFTK with {@code b} segments per ACK and a first timeout of {@code t0} (a TCP's RTO after a
   * timeout, at least its minimum RTO): bits a second; infinite without loss.
   */
  static double pftkBitsPerSecond(
      int mssBytes, Duration rtt, double lossProbability, int b, Duration t0) {
    check(mssBytes, rtt, lossProbability);
    if (b < 1) {
      throw new IllegalArgumentException("b (segments per ACK) must be >= 1, got " + b);
    }
    double p = lossProbability;
    double r = seconds(rtt);
    double timeout = seconds(t0);
    double fastRecovery = r * Math.sqrt(2 * b * p / 3);
    double timeouts = timeout * Math.min(1, 3 * Math.sqrt(3 * b * p / 8)) * p * (1 + 32 * p * p);
    double segmentsPerSecond = 1 / (fastRecovery + timeouts);
    return segmentsPerSecond * mssBytes * 8;
  }

  private static void check(int mssBytes, Duration rtt, double p) {
    if (mssBytes < 1) {
      throw new IllegalArgumentException("MSS must be >= 1 byte, got " + mssBytes);
    }
    if (rtt.isNegative() || rtt.isZero()) {
      throw new IllegalArgumentException("RTT must be > 0, got " + rtt);
    }
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("loss probability must be within 0..1, got " + p);
    }
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }
}
