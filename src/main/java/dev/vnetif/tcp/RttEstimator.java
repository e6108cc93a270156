package dev.vnetif.tcp;

import dev.vnetif.wire.SeqNum;
import java.util.function.LongConsumer;

/**
 * The retransmission timeout of one connection, computed from round-trip samples as RFC 6298
 * specifies, in exact integer nanoseconds, and the timing of those samples under Karn's algorithm.
 *
 * <p>Timing (RFC 6298 §3, Karn and Partridge): one segment is timed at a time. {@link #onSend}
 * starts timing a newly sent segment unless one is already timed; {@link #onAck} takes the sample
 * when an ACK covers it; {@link #onRetransmit} abandons the timing, because an ACK that follows a
 * retransmission cannot tell which copy it answers. The caller owns the timer itself: it calls
 * {@link #backoff()} when the timer expires and reads {@link #rtoNanos()} whenever it (re)starts
 * it. {@link #sample(long)} takes a measurement directly (the caller then answers for Karn's rule).
 *
 * <p>Integer division truncates; the exact results of a sequence of samples are therefore
 * reproducible, which the tests rely on. Not thread-safe: one instance belongs to one connection.
 */
public final class RttEstimator {

  /** RFC 6298 §2: K = 4. */
  private static final long K = 4;

  /**
   * Largest accepted sample (about 36 years), so that {@code 7 * SRTT + R} and {@code 3 * RTTVAR +
   * |SRTT - R|} never overflow a long.
   */
  static final long MAX_SAMPLE_NANOS = Long.MAX_VALUE / 8;

  /**
   * The RTO bounds and G come from here: one configuration shared by every connection made with it,
   * rather than four copies in each.
   */
  private final TcpConfig bounds;

  /** The RTO used while there is no sample: the initial RTO, or 3 s after a SYN timed out. */
  private long rtoWithoutSample;

  private boolean hasSample;
  private long srtt;
  private long rttvar;

  /** RTO from the last sample, before clamping and backoff. */
  private long computedRto;

  private int backoffCount;

  /** The least sample taken so far; -1 before the first. */
  private long minSample = -1;

  /** Karn: whether a segment is being timed, where it starts, and when it was sent. */
  private boolean timing;

  private int timedSeq;
  private long timedAtNanos;

  /** Hears of every sample (the congestion control's delay-based parts); none by default. */
  private LongConsumer sampleListener = rttNanos -> {};

  /**
   * @param initialRtoNanos the RTO before any sample (RFC 6298 §2.1 says 1 s)
   * @param minRtoNanos the lower bound of the RTO (RFC 6298 §2.4 says 1 s; ours is configurable)
   * @param maxRtoNanos the upper bound of the RTO and of its backoff (RFC 6298 §2.5: at least 60 s)
   * @param clockGranularityNanos G of RFC 6298 §2, the least variance term added to SRTT
   * @throws IllegalArgumentException unless {@code 0 < min <= initial <= max} and {@code G >= 0}
   */
  public RttEstimator(
      long initialRtoNanos, long minRtoNanos, long maxRtoNanos, long clockGranularityNanos) {
    if (minRtoNanos <= 0 || initialRtoNanos < minRtoNanos || maxRtoNanos < initialRtoNanos) {
      throw new IllegalArgumentException(
          "RTO bounds must satisfy 0 < min <= initial <= max, got min="
              + minRtoNanos
              + " initial="
              + initialRtoNanos
              + " max="
              + maxRtoNanos
              + " (ns)");
    }
    if (clockGranularityNanos < 0) {
      throw new IllegalArgumentException(
          "clock granularity must be >= 0, got " + clockGranularityNanos + " ns");
    }
    this.bounds =
        TcpConfig.builder()
            .initialRtoNanos(initialRtoNanos)
            .minRtoNanos(minRtoNanos)
            .maxRtoNanos(maxRtoNanos)
            .clockGranularityNanos(clockGranularityNanos)
            .build();
    this.rtoWithoutSample = initialRtoNanos;
  }

  /** The estimator of a connection made with {@code config} (its RTO bounds and G). */
  RttEstimator(TcpConfig config) {
    this.bounds = config;
    this.rtoWithoutSample = config.initialRtoNanos();
  }

  /**
   * RFC 6298 §5.7: when the timer expired awaiting the ACK of a SYN and the RTO is below {@code
   * floorNanos} (3 s in the RFC), data transmission starts with an RTO of {@code floorNanos}
   * (capped at max) and no backoff, until a sample replaces it.
   */
  public void reinitializeAfterSynTimeout(long floorNanos) {
    backoffCount = 0;
    if (!hasSample) {
      rtoWithoutSample = Math.min(bounds.maxRtoNanos(), Math.max(rtoWithoutSample, floorNanos));
    }
  }

  /**
   * Takes one measurement R. Karn's rule (RFC 6298 §3) is the caller's: only segments that were not
   * retransmitted may be measured. A sample also clears the backoff: RFC 6298 §5, the note after
   * (5.7), lets a fresh measurement "collapse" an RTO doubled by (5.5).
   *
   * @param rttNanos R, at least 0 (a zero-latency virtual link can measure 0) and at most about 36
   *     years
   * @throws IllegalArgumentException when R is negative or absurdly large
   */
  public void sample(long rttNanos) {
    if (rttNanos < 0 || rttNanos > MAX_SAMPLE_NANOS) {
      throw new IllegalArgumentException(
          "RTT sample must be in [0, " + MAX_SAMPLE_NANOS + "] ns, got " + rttNanos);
    }
    if (!hasSample) {
      // RFC 6298 §2.2: SRTT <- R, RTTVAR <- R/2.
      srtt = rttNanos;
      rttvar = rttNanos / 2;
      hasSample = true;
    } else {
      // RFC 6298 §2.3 with alpha = 1/8, beta = 1/4; RTTVAR first, from the old SRTT:
      // RTTVAR <- (1 - beta) * RTTVAR + beta * |SRTT - R'|
      // SRTT   <- (1 - alpha) * SRTT + alpha * R'
      rttvar = (3 * rttvar + Math.abs(srtt - rttNanos)) / 4;
      srtt = (7 * srtt + rttNanos) / 8;
    }
    // RFC 6298 §2.2 / §2.3: RTO <- SRTT + max(G, K*RTTVAR).
    computedRto = saturatingAdd(srtt, Math.max(bounds.clockGranularityNanos(), K * rttvar));
    backoffCount = 0;
    if (minSample < 0 || rttNanos < minSample) {
      minSample = rttNanos;
    }
    sampleListener.accept(rttNanos);
  }

  /**
   * From now on {@code listener} hears of every sample {@link #sample(long)} takes, whichever way
   * it was measured; it replaces any earlier listener.
   */
  void onSample(LongConsumer listener) {
    sampleListener = listener;
  }

  /**
   * A segment starting at {@code seq} was sent for the first time (never a retransmission, RFC 6298
   * §3): it is timed unless another segment already is, so one sample comes per round trip.
   */
  public void onSend(int seq, long nowNanos) {
    if (!timing) {
      timing = true;
      timedSeq = seq;
      timedAtNanos = nowNanos;
    }
  }

  /**
   * A cumulative ACK up to {@code ack} arrived: if it covers the timed segment (acknowledges past
   * its first sequence number), its round trip is a sample (RFC 6298 §2.2, §2.3) and timing stops.
   *
   * @return whether a sample was taken
   */
  public boolean onAck(int ack, long nowNanos) {
    if (!timing || !SeqNum.gt(ack, timedSeq)) {
      return false;
    }
    timing = false;
    sample(nowNanos - timedAtNanos);
    return true;
  }

  /**
   * A segment was retransmitted (timeout, fast retransmit, partial ACK): Karn's algorithm (RFC 6298
   * §3) forbids measuring from an ACK that may answer either copy, so the timing is abandoned; the
   * next new segment sent is timed instead.
   */
  public void onRetransmit() {
    timing = false;
  }

  /** Whether a segment is being timed (sent by {@link #onSend}, not yet acknowledged). */
  public boolean isTiming() {
    return timing;
  }

  /** The first sequence number of the timed segment; meaningful while {@link #isTiming()}. */
  public int timedSeq() {
    return timedSeq;
  }

  /** Whether {@link #sample(long)} has been called at least once. */
  public boolean hasSample() {
    return hasSample;
  }

  /**
   * The least sample {@link #sample(long)} took so far, -1 before the first. When the handshake
   * completes it is the handshake's own sample (the SYN or SYN-ACK timed, or its TSecr echo), which
   * RACK's min_RTT starts from (RFC 8985 §6.2 step 2), as Linux's min RTT filter does.
   */
  long minSampleNanos() {
    return minSample;
  }

  /** SRTT in nanoseconds; 0 before the first sample. */
  public long srttNanos() {
    return srtt;
  }

  /** RTTVAR in nanoseconds; 0 before the first sample. */
  public long rttvarNanos() {
    return rttvar;
  }

  /**
   * The timeout to arm the retransmission timer with: the initial RTO before any sample (RFC 6298
   * §2.1), else SRTT + max(G, 4·RTTVAR), clamped to [min, max] (RFC 6298 §2.4, §2.5), then doubled
   * once per {@link #backoff()} and capped at max (RFC 6298 §5.5).
   */
  public long rtoNanos() {
    long max = bounds.maxRtoNanos();
    long rto =
        hasSample ? Math.min(max, Math.max(bounds.minRtoNanos(), computedRto)) : rtoWithoutSample;
    // The loop ends within 63 rounds: rto >= min > 0 doubles until it reaches max.
    for (int i = 0; i < backoffCount && rto < max; i++) {
      rto = rto > max / 2 ? max : rto * 2;
    }
    return rto;
  }

  /** RFC 6298 §5.5: the timer expired, so the next RTO is twice the current one, capped at max. */
  public void backoff() {
    if (backoffCount < Integer.MAX_VALUE) {
      backoffCount++;
    }
  }

  /**
   * How many times {@link #backoff()} was called since the last sample or {@link #resetBackoff()}.
   */
  public int backoffCount() {
    return backoffCount;
  }

  /**
   * Clears the backoff and keeps SRTT and RTTVAR, so {@link #rtoNanos()} is the un-doubled RTO
   * again.
   */
  public void resetBackoff() {
    backoffCount = 0;
  }

  private static long saturatingAdd(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum; // both operands are >= 0
  }
}
