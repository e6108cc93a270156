package dev.vnetif.tcp;

import dev.vnetif.tcp.TcbTimers.Kind;
import dev.vnetif.wire.SackBlock;
import dev.vnetif.wire.SeqNum;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * The output half of a {@link Tcb}: builds every segment it sends, and decides how much new data
 * goes out — as far as the send window, the congestion window and the {@link NagleSwsPolicy} allow
 * (RFC 9293 §3.8.6.2.1, RFC 1122 §4.2.3.4) — and what is sent again (go-back-N after a timeout, the
 * first segment on fast retransmit, zero-window probes). It keeps the retransmission timer running
 * while anything is outstanding (RFC 6298 §5.1) and owns the persist timer (RFC 9293 §3.8.6.1). The
 * {@link Tcb} decides when; the state machine stays there.
 *
 * <p>Replaced together with the sequence spaces and the RTT estimator when a passive block returns
 * to LISTEN. Not thread-safe: one instance belongs to one {@link Tcb}.
 */
final class Sender {
  private static final ByteString EMPTY = ByteString.emptyByteString();

  private final TcpConfig config;
  private final TcbOutput out;
  private final SendSequence snd;
  private final ReceiveSequence rcv;
  private final RttEstimator rtt;
  private final TcbTimers timers;
  private final TcbCounters counters;
  private final NagleSwsPolicy policy;

  /** Null when the configuration does not offer timestamps (RFC 7323). */
  private final Timestamping ts;

  private final int localPort;
  private int remotePort;

  /** Congestion control and loss recovery: made when the connection is established. */
  private LossRecovery recovery;

  private long lastSendNanos;

  /** Zero-window probes sent since the window was last open; doubles the persist interval. */
  private int persistProbes;

  /** The SACK blocks of the peer's latest ACK that had any (see {@link #onSackBlocks}); or null. */
  private List<SackBlock> peerSackBlocks;

  /**
   * What the peer's SACK blocks say of each segment in flight (RFC 6675 §3); made when the
   * handshake settled SACK, null otherwise.
   */
  private SackScoreboard board;

  /** RACK (RFC 8985 §6), with SACK and {@link LossDetection#RACK_TLP}; null otherwise. */
  private Rack rack;

  /** The tail loss probe (RFC 8985 §7), made with {@link #rack}. */
  private TailLossProbe tlp;

  /** The latest ACK's scoreboard summary and SACK blocks, from update to {@link #afterAck}. */
  private SackScoreboard.AckSummary lastAck;

  private List<SackBlock> lastAckBlocks = List.of();

  /**
   * An RTO struck and SND.UNA has not yet passed what was outstanding then (RFC 8985 §7.2 "RTO
   * recovery": no probe is armed meanwhile).
   */
  private boolean rtoRecovery;

  /**
   * Recovery just began: its first retransmission goes whatever the pipe says (RFC 6675 §5 step
   * 4.3), since cwnd = ssthresh may lie below the pipe until ACKs drain it.
   */
  private boolean recoveryJustBegan;

  /** An RTO's first resend is due: it goes whatever the peer's window (see goBackN). */
  private boolean rtoResendDue;

  /**
   * RFC 6675 "RescueRxt" as step 4.3 sets it: the end of recovery's first retransmission. The
   * rescue retransmission (NextSeg rule 4) waits until the cumulative ACK passes it, so that it is
   * not premature.
   */
  private int rescueAfter;

  /**
   * Whether the window was used (RFC 7661 "cwnd-validated"), as Linux's tcp_is_cwnd_limited judges
   * it: per round trip (a round ends when SND.UNA passes the SND.MAX it started at), the most
   * sequence space in flight and whether the congestion window held back data the peer's window
   * would have taken.
   */
  private int roundEnd;

  private int maxFlightThisRound;
  private int maxFlightLastRound;
  private boolean cwndLimitedThisRound;
  private boolean cwndLimitedLastRound;

  Sender(
      TcpConfig config,
      TcbOutput out,
      SendSequence snd,
      ReceiveSequence rcv,
      RttEstimator rtt,
      TcbTimers timers,
      TcbCounters counters,
      Timestamping ts,
      int localPort,
      int remotePort) {
    this.config = config;
    this.ts = ts;
    this.out = out;
    this.snd = snd;
    this.rcv = rcv;
    this.rtt = rtt;
    this.timers = timers;
    this.counters = counters;
    this.policy = NagleSwsPolicy.of(config);
    this.localPort = localPort;
    this.remotePort = remotePort;
  }

  int localPort() {
    return localPort;
  }

  int remotePort() {
    return remotePort;
  }

  /** A LISTEN block accepted a SYN from {@code port}: segments go there from now on. */
  void setRemotePort(int port) {
    remotePort = port;
  }

  /** Null until {@link #startCongestionControl()}. */
  LossRecovery recovery() {
    return recovery;
  }

  /** The handshake completed: the initial window follows from the settled MSS (RFC 5681 §3.1). */
  void startCongestionControl() {
    int mss = snd.effectiveMss();
    CongestionControl cc = config.congestionControl().create(mss, InitialWindow.bytes(mss));
    boolean rackTlp = rcv.sackEnabled() && config.lossDetection() == LossDetection.RACK_TLP;
    recovery = new LossRecovery(cc, snd.iss(), !rackTlp, rcv.sackEnabled());
    roundEnd = snd.sndMax();
    rtt.onSample(cc::onRttSample); // every RTT sample from now on, however it was measured
    if (rcv.sackEnabled()) {
      board = new SackScoreboard();
      if (rackTlp) {
        rack = new Rack();
        // The only samples so far are the handshake's: RACK's min_RTT starts from it (Linux's
        // min RTT filter does too), so the first data round's retransmissions are judged by
        // RFC 8985 §6.2 step 2 against a known minimum.
        rack.onHandshakeRtt(rtt.minSampleNanos());
        tlp = new TailLossProbe();
      }
    }
  }

  // ================================================================ new data

  /**
   * Sends new data (and the FIN) as far as the send window, the congestion window, Nagle and
   * sender-side SWS avoidance allow (RFC 9293 §3.8.6.2.1, RFC 1122 §4.2.3.4).
   */
  void transmit(long now) {
    if (recovery == null) {
      return;
    }
    if (snd.flightSize() == 0 && now - lastSendNanos > rtt.rtoNanos() && lastSendNanos != 0) {
      recovery.cc.onIdleRestart(now - lastSendNanos, now); // RFC 5681 §4.1
    }
    if (board != null) {
      transmitWithScoreboard(now);
      return;
    }
    while (true) {
      int unsent = snd.unsentBytes();
      if (unsent == 0) {
        sendFinIfDue(now);
        return;
      }
      int mss = dataMss();
      // Limited transmit sends only never-sent data (RFC 3042 §2), not a go-back-N resend.
      int allowance = snd.sndNxt() == snd.sndMax() ? recovery.limitedTransmitAllowance(mss) : 0;
      int usable = Math.min(snd.sndWnd(), recovery.cc.cwnd() + allowance) - snd.flightSize();
      int length = Math.min(Math.min(unsent, mss), Math.max(0, usable));
      noteCwndLimit(
          Math.min(unsent, mss), (long) recovery.cc.cwnd() + allowance - snd.flightSize());
      if (length == 0
          || !policy.sendNow(
              length,
              unsent,
              mss,
              snd.maxSndWnd(),
              snd.nextIsNodelay(),
              snd.flightSize() > 0,
              snd.smallSegmentInFlight())) {
        if (snd.flightSize() == 0 && !timers.isArmed(Kind.PERSIST)) {
          // Held by a zero (or silly) window with nothing in flight: no ACK will come to
          // restart us, so the persist timer must (RFC 9293 §3.8.6.1, RFC 1122 §4.2.3.4).
          armPersist(now);
        }
        return;
      }
      sendData(snd.sndNxt(), length, now);
    }
  }

  /**
   * The sender with SACK (RFC 6675 §5): what goes out is bounded by the pipe — the bytes thought to
   * be in the network — rather than by FlightSize, so SACKed segments make room. Each round takes
   * RFC 6675's NextSeg in order: a segment deemed lost and not yet sent again (rule 1: by RACK, by
   * IsLost, or by an RTO), new data (rule 2), and in recovery an un-SACKed segment below SACKed
   * data (rule 3) and once per recovery the rescue retransmission of the highest one (rule 4). In
   * recovery the window is ssthresh (RFC 6675 §5 step 4.2: cwnd = ssthresh, no inflation);
   * otherwise cwnd, so after an RTO the lost segments go again as slow start opens cwnd — skipping
   * what the receiver SACKed, where go-back-N would send it all again.
   */
  private void transmitWithScoreboard(long now) {
    int mss = snd.effectiveMss();
    boolean inRecovery = recovery.inRecovery;
    if (inRecovery && rack == null) {
      board.markLostByDupThresh(mss); // RFC 6675 IsLost; RACK marks by time instead
    }
    boolean sentNew = false;
    while (true) {
      long window =
          inRecovery
              ? recovery.cc.ssthresh()
              : (long) recovery.cc.cwnd()
                  + (board.sackedBytes() == 0 ? recovery.limitedTransmitAllowance(mss) : 0);
      long room = window - board.pipe();
      SackScoreboard.Segment hole = board.nextSeg(false); // rule 1
      if (hole != null && sendable(hole)) {
        int length = Math.min(hole.length(), mss);
        if (room < length && !(inRecovery && recoveryJustBegan)) {
          break;
        }
        if (!inPeerWindow(hole.start, length) && !rtoResendDue) {
          break; // RFC 9293 §3.8.6 (SHLD-16): resend within the peer's window
        }
        rtoResendDue = false;
        if (recoveryJustBegan) {
          recoveryJustBegan = false;
          rescueAfter = hole.start + length;
        }
        retransmitRange(hole.start, length, now);
        continue;
      }
      int unsent = snd.unsentBytes();
      if (unsent > 0) { // rule 2
        int newMss = dataMss();
        long usable = Math.min(room, snd.sndWnd() - snd.flightSize());
        int length = (int) Math.min(Math.min(unsent, newMss), Math.max(0, usable));
        noteCwndLimit(Math.min(unsent, newMss), room);
        if (length > 0
            && policy.sendNow(
                length,
                unsent,
                newMss,
                snd.maxSndWnd(),
                snd.nextIsNodelay(),
                snd.flightSize() > 0,
                snd.smallSegmentInFlight())) {
          sendData(snd.sndNxt(), length, now);
          sentNew = true;
          continue;
        }
        if (snd.flightSize() == 0 && !timers.isArmed(Kind.PERSIST)) {
          armPersist(now); // as in transmit(): no ACK will come to restart us
        }
      } else {
        sendFinIfDue(now);
      }
      if (inRecovery && room >= mss) {
        SackScoreboard.Segment below = board.nextSeg(true); // rule 3
        if (below != null
            && sendable(below)
            && inPeerWindow(below.start, Math.min(below.length(), mss))) {
          retransmitRange(below.start, Math.min(below.length(), mss), now);
          continue;
        }
        SackScoreboard.Segment rescue =
            SeqNum.gt(snd.sndUna(), rescueAfter)
                ? board.rescueSegment(recovery.recover + 1) // rule 4
                : null;
        if (rescue != null
            && sendable(rescue)
            && !rescue.retransmissionInFlight
            && inPeerWindow(rescue.start, rescue.length())) {
          int length = Math.min(rescue.length(), mss);
          retransmitRange(rescue.end - length, length, now);
          continue;
        }
      }
      break;
    }
    if (sentNew) {
      armProbe(now); // RFC 8985 §7.2: after new data went out
    }
  }

  /** {@code [start, start + length)} lies inside the peer's window, SND.UNA + SND.WND. */
  private boolean inPeerWindow(int start, int length) {
    return SeqNum.leq(start + length, snd.sndUna() + snd.sndWnd());
  }

  /** The flags of data sent again up to {@code end}: PSH at the end of the data, FIN once sent. */
  private int resendFlags(int end) {
    if (end != snd.finSeq()) {
      return TcpSegment.ACK;
    }
    boolean finWentOut = snd.finQueued() && SeqNum.gt(snd.sndMax(), snd.finSeq());
    return TcpSegment.ACK | TcpSegment.PSH | (finWentOut ? TcpSegment.FIN : 0);
  }

  /** Plain data this sender still holds: not the FIN's sequence number, not acknowledged. */
  private boolean sendable(SackScoreboard.Segment s) {
    return SeqNum.geq(s.start, snd.sndUna())
        && SeqNum.leq(s.end, SeqNum.min(snd.sndMax(), snd.finSeq()));
  }

  /**
   * Sends {@code [start, start + length)} again without moving SND.NXT, with the FIN when it ends
   * the data and the FIN already went out.
   */
  private void retransmitRange(int start, int length, long now) {
    int end = start + length;
    int flags = resendFlags(end);
    ByteString payload = snd.buffer().slice(start - snd.bufferStartSeq(), length);
    emit(start, rcv.rcvNxt(), flags, payload, TcpOptions.NONE, now);
    board.sent(start, end, now);
    counters.retransmitted();
    rtt.onRetransmit(); // Karn: an ACK now could be for either copy
    lastSendNanos = now;
    startRetransmissionTimer(now);
  }

  /**
   * The window may grow on this ACK (RFC 7661, RFC 9438 §5.8), as Linux's tcp_is_cwnd_limited: in
   * slow start while cwnd is under twice the most in flight lately, in congestion avoidance when
   * cwnd held data back lately. Call before the ACK moves the round on ({@link #ackedForRound}).
   */
  boolean cwndLimited() {
    int cwnd = recovery.cc.cwnd();
    if (cwnd < recovery.cc.ssthresh()) {
      return cwnd < 2L * Math.max(maxFlightThisRound, maxFlightLastRound);
    }
    return cwndLimitedThisRound || cwndLimitedLastRound;
  }

  /** An ACK for new data: when it passes the round's end, the round's record becomes the last. */
  void ackedForRound(int ack) {
    if (SeqNum.geq(ack, roundEnd)) {
      maxFlightLastRound = maxFlightThisRound;
      cwndLimitedLastRound = cwndLimitedThisRound;
      maxFlightThisRound = snd.flightSize();
      cwndLimitedThisRound = false;
      roundEnd = snd.sndMax();
    }
  }

  /** The congestion window, not the peer's, stopped {@code wanted} bytes from going. */
  private void noteCwndLimit(int wanted, long cwndRoom) {
    if (wanted > 0 && cwndRoom < wanted && snd.sndWnd() - snd.flightSize() >= wanted) {
      cwndLimitedThisRound = true;
    }
  }

  /**
   * The most new data one segment carries: the send MSS less the SACK option the segment's ACK
   * would hold now (4 bytes and 8 per block, RFC 2018 §3), as Linux's {@code tcp_current_mss}
   * shrinks while blocks are pending. Without that, a full data segment has no room for them, and
   * while we send data the peer hears of our holes and of a duplicate (RFC 2883) only from pure
   * ACKs, which a two-way transfer rarely sends. Resent data keeps its segment's size.
   */
  private int dataMss() {
    int mss = snd.effectiveMss();
    int blocks = rcv.pendingSackBlocks();
    return blocks == 0 ? mss : Math.max(1, mss - 4 - 8 * blocks);
  }

  /** Sends {@code length} bytes from {@code seq}, with the FIN when they are the last ones. */
  private void sendData(int seq, int length, long now) {
    ByteString payload = snd.buffer().slice(seq - snd.bufferStartSeq(), length);
    int end = seq + length;
    boolean last = end == snd.finSeq();
    int flags = TcpSegment.ACK | (last ? TcpSegment.PSH : 0);
    if (last && snd.finQueued()) {
      flags |= TcpSegment.FIN;
      end++;
    }
    boolean fresh = SeqNum.geq(seq, snd.sndMax());
    if (length < dataMss()) {
      snd.smallSegmentSent(seq + length); // Minshall: the newest small segment, until it is acked
    }
    emit(seq, rcv.rcvNxt(), flags, payload, TcpOptions.NONE, now);
    if (board != null) {
      board.sent(seq, seq + length, now);
    }
    // After a go-back-N rewind a segment may carry old bytes and then never-sent ones.
    counters.newDataSent(Math.max(0, SeqNum.diff(seq + length, SeqNum.max(seq, snd.sndMax()))));
    if (fresh) {
      rtt.onSend(seq, now);
    } else {
      counters.retransmitted();
    }
    snd.sent(end);
    maxFlightThisRound = Math.max(maxFlightThisRound, snd.flightSize());
    lastSendNanos = now;
    startRetransmissionTimer(now);
  }

  /** Sends the FIN on its own once every byte before it went out (RFC 9293 §3.10.4). */
  void sendFinIfDue(long now) {
    if (snd.finQueued() && snd.sndNxt() == snd.finSeq()) {
      boolean fresh = SeqNum.geq(snd.sndNxt(), snd.sndMax());
      emit(
          snd.sndNxt(), rcv.rcvNxt(), TcpSegment.FIN | TcpSegment.ACK, EMPTY, TcpOptions.NONE, now);
      if (!fresh) {
        counters.retransmitted();
      }
      snd.sent(snd.sndNxt() + 1);
      startRetransmissionTimer(now);
    }
  }

  /** RFC 6298 §5.1: a segment with data (or SYN, FIN) went out: run the timer unless it runs. */
  private void startRetransmissionTimer(long now) {
    if (!timers.isArmed(Kind.RETRANSMIT)) {
      timers.arm(Kind.RETRANSMIT, now + rtt.rtoNanos());
    }
  }

  // ================================================================ the handshake

  /**
   * Our SYN (or SYN-ACK) from the ISS, timed on its first transmission; a retransmission counts as
   * such.
   */
  void sendSyn(long now, boolean withAck, boolean offerWindowScale) {
    int flags = withAck ? TcpSegment.SYN | TcpSegment.ACK : TcpSegment.SYN;
    // A SYN offers what the configuration allows; a SYN-ACK answers what the SYN offered (RFC
    // 2018 §2, RFC 7323 §3.2), which the negotiation already settled.
    boolean offerSack = withAck ? rcv.sackEnabled() : config.sack();
    boolean offerTimestamps = ts != null && (!withAck || ts.enabled());
    emit(
        snd.iss(),
        withAck ? rcv.rcvNxt() : 0,
        flags,
        EMPTY,
        OptionsNegotiation.synOptions(
            config, offerWindowScale, offerSack, offerTimestamps ? ts.option(now, withAck) : null),
        now);
    if (snd.sndMax() == snd.iss()) {
      rtt.onSend(snd.iss(), now); // first transmission of the SYN: it may be timed
    } else {
      counters.retransmitted();
    }
    snd.sent(snd.iss() + 1);
    // RFC 6298 §5.1: a SYN-ACK resent for a repeated SYN, or for the peer's SYN crossing ours,
    // does not restart the running timer.
    startRetransmissionTimer(now);
  }

  // ================================================================ sending again

  /**
   * The retransmission timer expired (RFC 6298 §5.4) with the RTO already backed off: loss recovery
   * hears of it (RFC 5681 §3.1 on the {@code firstExpiry} for this data, RFC 6582 §3.2 step 4),
   * then go back N, as BSD does — resend from SND.UNA; the rest follows as ACKs open the congestion
   * window.
   */
  void goBackN(long now, boolean firstExpiry) {
    recovery.onTimeout(snd.sndMax() - snd.sndUna(), firstExpiry, snd.sndMax(), now);
    if (board != null) {
      board.onTimeout(); // RFC 6675 §5.1: what was not SACKed is lost, no retransmission in flight
      rtoRecovery = true;
      timers.cancel(Kind.PROBE);
      timers.cancel(Kind.REORDER);
      if (tlp != null) {
        tlp.reset();
      }
      if (board.nextSeg(false) != null) {
        // The lost segments go again from the scoreboard, SACKed ones skipped (RFC 6675 §5.1);
        // only a lone FIN, which the scoreboard does not hold, is sent by going back. The first
        // goes even beyond a closed window (RFC 9293 §3.8.6 MAY-7), as go-back-N's does: it
        // probes the window, and its ACK reopens it.
        rtoResendDue = true;
        transmitWithScoreboard(now);
        rtoResendDue = false;
        return;
      }
    }
    int length = firstSegmentLength();
    snd.rewind();
    if (length > 0) {
      sendData(snd.sndUna(), length, now);
    } else {
      sendFinIfDue(now);
    }
  }

  /** Retransmits the segment at SND.UNA without moving SND.NXT (fast retransmit, partial ACK). */
  void retransmitFirst(long now) {
    int length = firstSegmentLength();
    if (length > 0) {
      int end = snd.sndUna() + length;
      int flags = resendFlags(end);
      ByteString payload = snd.buffer().slice(snd.sndUna() - snd.bufferStartSeq(), length);
      emit(snd.sndUna(), rcv.rcvNxt(), flags, payload, TcpOptions.NONE, now);
      if (board != null) {
        board.sent(snd.sndUna(), end, now);
      }
    } else if (snd.finQueued() && SeqNum.gt(snd.sndMax(), snd.finSeq())) {
      emit(
          snd.finSeq(), rcv.rcvNxt(), TcpSegment.FIN | TcpSegment.ACK, EMPTY, TcpOptions.NONE, now);
    } else {
      return;
    }
    counters.retransmitted();
    rtt.onRetransmit(); // Karn: an ACK now could be for either copy
  }

  /** Data bytes in the segment at SND.UNA: up to one MSS of what was sent before. */
  private int firstSegmentLength() {
    int sentData = SeqNum.diff(SeqNum.min(snd.sndMax(), snd.finSeq()), snd.sndUna());
    return Math.max(0, Math.min(snd.effectiveMss(), sentData));
  }

  // ================================================================ persist

  /**
   * RFC 9293 §3.8.6.1: while the peer's window is zero, probe it with one byte, backing the
   * interval off like the RTO but never giving up while the peer answers. {@code connected} says
   * whether the connection is past its handshake.
   */
  void onPersistTimeout(long now, boolean connected) {
    int unsent = snd.unsentBytes();
    if (unsent == 0 || !connected || snd.flightSize() > 0) {
      persistProbes = 0;
      return; // nothing waits, or the retransmission timer is watching
    }
    int usable = Math.min(snd.sndWnd(), recovery.cc.cwnd());
    if (usable > 0) {
      // RFC 1122 §4.2.3.4: the SWS override — send what fits rather than wait forever.
      persistProbes = 0;
      sendData(snd.sndNxt(), Math.min(Math.min(unsent, dataMss()), usable), now);
      return;
    }
    int seq = snd.sndNxt();
    ByteString probe = snd.buffer().slice(seq - snd.bufferStartSeq(), 1);
    emit(seq, rcv.rcvNxt(), TcpSegment.ACK, probe, TcpOptions.NONE, now);
    snd.probeSent(seq + 1);
    counters.zeroWindowProbe();
    persistProbes++;
    armPersist(now);
  }

  /** The peer's window opened: probing stops and its backoff starts over. */
  void windowOpened() {
    timers.cancel(Kind.PERSIST);
    persistProbes = 0;
  }

  private void armPersist(long now) {
    long interval = rtt.rtoNanos();
    for (int i = 0; i < persistProbes && interval < config.maxRtoNanos(); i++) {
      interval *= 2;
    }
    timers.arm(Kind.PERSIST, now + Math.min(interval, config.maxRtoNanos()));
  }

  // ================================================================ control segments

  /**
   * A pure ACK carries SND.MAX, not SND.NXT (as BSD does): after a go-back-N rewind an ACK stamped
   * with the older SND.NXT would fall below the peer's RCV.NXT, be unacceptable, and draw an ACK
   * back — two rewound ends would trade ACKs forever.
   */
  void sendAck(long now) {
    emit(snd.sndMax(), rcv.rcvNxt(), TcpSegment.ACK, EMPTY, TcpOptions.NONE, now);
  }

  /** Keepalive probe (RFC 1122 §4.2.3.6): {@code <SEQ=SND.NXT-1><ACK=RCV.NXT>}, no data. */
  void sendKeepaliveProbe(long now) {
    emit(snd.sndNxt() - 1, rcv.rcvNxt(), TcpSegment.ACK, EMPTY, TcpOptions.NONE, now);
  }

  /**
   * ABORT's RST at SND.MAX (see {@link Tcb#abort}), with timestamps once negotiated (RFC 7323 §3.2:
   * TSopt "SHOULD be sent in an <RST> segment"; Linux does, packetdrill reset_tsval).
   */
  void sendReset(long now) {
    emit(snd.sndMax(), 0, TcpSegment.RST, EMPTY, TcpOptions.NONE, now);
  }

  // ================================================================ the peer's SACK blocks

  /**
   * The SACK blocks of an acceptable ACK from the peer (RFC 2018 §3), with SACK negotiated; called
   * before the ACK's cumulative part is processed. The seam for the sender's scoreboard and its
   * loss recovery (RFC 6675): for now the blocks are recorded and counted, and a D-SACK (RFC 2883
   * §4: a first block below the cumulative ACK, or inside the second block) is counted apart.
   */
  void onSackBlocks(List<SackBlock> blocks, int ack, long now) {
    peerSackBlocks = blocks;
    counters.sackBlocksReceived(blocks.size());
    if (SackScoreboard.reportsDuplicate(blocks, ack)) {
      counters.dsackReceived();
    }
  }

  /**
   * Every acceptable ACK, with its SACK blocks (possibly none), when SACK was negotiated: the
   * scoreboard drops what the cumulative ACK covers and marks what the blocks cover (RFC 6675 §5).
   */
  void updateScoreboard(List<SackBlock> blocks, int ack, long now) {
    if (board != null) {
      lastAck = board.onAck(ack, blocks, now);
      lastAckBlocks = blocks;
    }
  }

  /** The sender keeps a SACK scoreboard: recovery follows RFC 6675, not NewReno's partial ACKs. */
  boolean usesScoreboard() {
    return board != null;
  }

  /**
   * The third duplicate ACK started recovery without RACK (RFC 6675 §5 step 4): the segment at
   * SND.UNA is deemed lost, and goes first when the input's output is sent.
   */
  void onDupThreshLoss() {
    if (board != null && !board.isEmpty()) {
      board.markLost(board.segments().get(0));
      recoveryBegan();
    }
  }

  private void recoveryBegan() {
    recoveryJustBegan = true;
    rescueAfter = snd.sndMax(); // until the first retransmission sets it
  }

  /** Fast recovery ended (RFC 6675 §5, a full ACK): RACK counts it for its reorder window. */
  void onRecoveryExit() {
    if (rack != null) {
      rack.onRecoveryEnd();
    }
  }

  /**
   * An RTT sample for the congestion control from this ACK, without timestamps: RFC 6298's timing
   * gives one per round trip, too few for HyStart++, which wants {@code N_RTT_SAMPLE} (8) in a
   * round before it may judge the delay (RFC 9406 §4.2), so without timestamps slow start never
   * ended early. The scoreboard knows when the newest segment this ACK delivered was sent, as
   * Linux's per-segment send times do; a segment sent more than once is ambiguous (Karn) and gives
   * none. The RTO estimator keeps to its timed segments.
   */
  void perAckRttSample(long now) {
    SackScoreboard.AckSummary summary = lastAck;
    if (summary == null
        || recovery == null
        || summary.newestDeliveredSentNanos < 0
        || summary.newestDeliveredRetransmitted) {
      return;
    }
    recovery.cc.onRttSample(now - summary.newestDeliveredSentNanos);
  }

  /**
   * After the cumulative part of an acceptable ACK was processed (RFC 8985 §6.2 and §7.4): RACK
   * takes the newest delivered send time and detects losses, a tail loss probe in flight is judged,
   * and a probe is armed again when the ACK advanced SND.UNA. {@code advanced}: SND.UNA moved.
   */
  void afterAck(int ack, boolean advanced, long now) {
    if (board == null || recovery == null) {
      return;
    }
    if (rtoRecovery && SeqNum.gt(snd.sndUna(), recovery.recover)) {
      rtoRecovery = false;
    }
    SackScoreboard.AckSummary summary = lastAck;
    lastAck = null;
    if (summary == null) {
      return;
    }
    if (rack == null) {
      // RFC 6675 §5 step (2): recovery also starts when the SACK blocks alone make the segment
      // at SND.UNA lost (IsLost), before three duplicate ACKs arrived — an ACK can SACK several
      // segments at once, or the duplicates can carry window updates that do not count.
      if (!recovery.inRecovery
          && board.sackedSegments() > 0
          && board.isLost(snd.sndUna(), snd.effectiveMss())
          && recovery.enterOnLoss(snd.sndUna(), snd.sndMax(), snd.flightSize(), now)) {
        counters.fastRetransmit();
        onDupThreshLoss();
      }
      return;
    }
    rack.onAck(summary, now, snd.sndUna(), snd.sndMax());
    int dsackRight = summary.dsack ? lastAckBlocks.get(0).right() : 0;
    TailLossProbe.Outcome probe =
        tlp.onAck(ack, advanced, summary.dsack, dsackRight, !lastAckBlocks.isEmpty());
    if (probe == TailLossProbe.Outcome.LOSS_REPAIRED && !recovery.inRecovery) {
      // RFC 8985 §7.4.2: the probe repaired a loss no one else saw; congestion control reacts
      // as to a fast recovery that ended at once (Linux's TLP reduction: CWR).
      // ssthresh from cwnd rather than FlightSize, which the probe's ACK may have emptied.
      recovery.cc.onFastRetransmit(recovery.cc.cwnd(), now);
      recovery.cc.onRecoveryExit(recovery.cc.ssthresh()); // cwnd = ssthresh
    }
    detectLoss(now);
    if (advanced) {
      armProbe(now);
    }
  }

  /**
   * RFC 8985 §6.2 step 5 and §6.3: marks what RACK deems lost, arms the reorder timer for the next
   * segment whose time is not yet up, and starts recovery on a first loss. The retransmissions
   * follow when the input's output goes out ({@link #transmit}).
   */
  private void detectLoss(long now) {
    long reorderWindow =
        rack.reorderWindowNanos(recovery.inRecovery, board.sackedSegments(), rtt.srttNanos());
    long wait = rack.detectLoss(board, now, reorderWindow);
    if (wait > 0) {
      timers.arm(Kind.REORDER, now + wait);
    } else {
      timers.cancel(Kind.REORDER);
    }
    if (rack.lastMarkedBytes() > 0
        && recovery.enterOnLoss(snd.sndUna(), snd.sndMax(), snd.flightSize(), now)) {
      counters.fastRetransmit();
      recoveryBegan();
      tlp.reset();
      timers.cancel(Kind.PROBE);
    }
  }

  /** RACK's reorder timer fired (RFC 8985 §6.3): the segments whose time came are judged. */
  void onReorderTimeout(long now) {
    if (rack != null && recovery != null) {
      detectLoss(now);
      transmit(now);
    }
  }

  /**
   * RFC 8985 §7.2: with data in flight, outside recovery and with nothing SACKed, the probe timer
   * runs two SRTTs (and the worst-case delayed ACK for a lone segment) ahead, never beyond the RTO.
   */
  private void armProbe(long now) {
    if (tlp == null) {
      return;
    }
    if (snd.flightSize() == 0
        || !tlp.mayArm(recovery.inRecovery || rtoRecovery, board.sackedSegments())) {
      timers.cancel(Kind.PROBE);
      return;
    }
    long rtoRemaining =
        timers.isArmed(Kind.RETRANSMIT) ? timers.deadline(Kind.RETRANSMIT) - now : rtt.rtoNanos();
    long pto =
        TailLossProbe.timeoutNanos(
            rtt.hasSample() ? rtt.srttNanos() : -1,
            snd.flightSize() <= snd.effectiveMss(),
            rtoRemaining);
    timers.arm(Kind.PROBE, now + pto);
  }

  /**
   * The probe timer fired (RFC 8985 §7.3): one segment goes out — new data if the peer's window
   * takes it, else the last segment sent again — so that its ACK, or its SACK, shows RACK what the
   * tail lost. The RTO then runs from now.
   */
  void onProbeTimeout(long now, boolean connected) {
    if (tlp == null || recovery == null || !connected || snd.flightSize() == 0) {
      return;
    }
    if (recovery.inRecovery || rtoRecovery || board.sackedSegments() > 0 || tlp.inFlight()) {
      return;
    }
    int mss = snd.effectiveMss();
    int unsent = snd.unsentBytes();
    int length = Math.min(unsent, dataMss());
    if (unsent > 0 && snd.sndWnd() - snd.flightSize() >= length) {
      sendData(snd.sndNxt(), length, now);
      tlp.probeSent(snd.sndMax(), false);
    } else {
      SackScoreboard.Segment last = lastUnsacked();
      if (last == null || !sendable(last)) {
        return; // a lone FIN: the RTO sends it again
      }
      int probeLength = Math.min(last.length(), mss);
      retransmitRange(last.end - probeLength, probeLength, now);
      tlp.probeSent(snd.sndMax(), true);
    }
    counters.tailLossProbe();
    timers.arm(Kind.RETRANSMIT, now + rtt.rtoNanos());
  }

  private SackScoreboard.Segment lastUnsacked() {
    List<SackScoreboard.Segment> segments = board.segments();
    for (int i = segments.size() - 1; i >= 0; i--) {
      if (!segments.get(i).sacked) {
        return segments.get(i);
      }
    }
    return null;
  }

  /** The tail loss probe's state, null without RACK-TLP; for tests. */
  TailLossProbe tailLossProbe() {
    return tlp;
  }

  /** RACK's state, null without RACK-TLP; for tests. */
  Rack rack() {
    return rack;
  }

  /**
   * RACK's state as a snapshot, with the reorder window it would use now; null without RACK-TLP (or
   * before the handshake completed). For tests.
   */
  RackView rackView() {
    if (rack == null || recovery == null) {
      return null;
    }
    int sacked = board.sackedSegments();
    return new RackView(
        rack.xmitNanos(),
        rack.endSeq(),
        rack.rttNanos(),
        rack.minRttNanos(),
        rack.reorderingSeen(),
        rack.reoWndMult(),
        rack.reoWndPersist(),
        rack.reorderWindowNanos(recovery.inRecovery, sacked, rtt.srttNanos()),
        sacked,
        recovery.inRecovery);
  }

  /** The scoreboard, null without SACK; for tests. */
  SackScoreboard scoreboard() {
    return board;
  }

  /** The SACK blocks of the peer's latest ACK that carried any, or null if none did yet. */
  List<SackBlock> peerSackBlocks() {
    return peerSackBlocks;
  }

  /** A RST (or RST+ACK) to a port that may not be ours yet (LISTEN, SYN_SENT, CLOSED). */
  void sendResetTo(int port, int seq, int ack, int flags) {
    counters.segmentSent();
    out.segment(new TcpSegment(localPort, port, seq, ack, flags, 0, 0, TcpOptions.NONE, EMPTY));
  }

  /**
   * Every segment of this connection: the window field records what we offer (RFC 9293 §3.8.6.2.2),
   * and any ACK pays the ACK owed, so the delayed-ACK timer stops (RFC 1122 §4.2.3.2). Once
   * negotiated, every segment but a RST carries timestamps (RFC 7323 §3.2), and every ACK the SACK
   * blocks that fit beside its payload (RFC 2018 §4, RFC 2883).
   */
  private void emit(int seq, int ack, int flags, ByteString payload, TcpOptions options, long now) {
    boolean syn = (flags & TcpSegment.SYN) != 0;
    boolean rst = (flags & TcpSegment.RST) != 0;
    boolean hasAck = (flags & TcpSegment.ACK) != 0;
    int window = rst ? 0 : rcv.windowField(syn);
    if (!syn && !rst) {
      options = withConnectionOptions(options, payload.length(), hasAck, now);
    } else if (rst && ts != null && ts.enabled()) {
      options = options.withTimestamps(ts.option(now, false)); // RFC 7323 §3.2: SHOULD
    }
    if (hasAck) {
      rcv.ackSent();
      if (ts != null) {
        ts.ackSent(ack); // Last.ACK.sent (RFC 7323 §4.3)
      }
      timers.cancel(Kind.DELAYED_ACK);
    } else {
      ack = 0;
    }
    counters.segmentSent();
    out.segment(
        new TcpSegment(localPort, remotePort, seq, ack, flags, window, 0, options, payload));
  }

  /**
   * Adds timestamps and SACK blocks to a segment of {@code payloadLength} bytes. The blocks are as
   * many as fit: options and payload together stay within the MSS the peer announced (the MTU less
   * 40). New data is cut to leave them room ({@link #dataMss}); a resent full-sized segment carries
   * none.
   */
  private TcpOptions withConnectionOptions(
      TcpOptions options, int payloadLength, boolean hasAck, long now) {
    if (ts != null && ts.enabled()) {
      options = options.withTimestamps(ts.option(now, hasAck));
    }
    if (hasAck && rcv.sackEnabled()) {
      // The send MSS is already less the timestamps; a SACK option takes 4 + 8 per block.
      int room = snd.effectiveMss() - payloadLength - 4;
      List<SackBlock> blocks = rcv.sackBlocks(room < 0 ? 0 : room / 8);
      if (!blocks.isEmpty()) {
        options = options.withSackBlocks(blocks);
      }
    }
    return options;
  }
}
