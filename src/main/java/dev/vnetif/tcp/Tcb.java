package dev.vnetif.tcp;

import dev.vnetif.tcp.TcbTimers.Kind;
import dev.vnetif.wire.SeqNum;
import dev.vnetif.wire.TcpSegment;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * One TCP connection's control block: the state machine of RFC 9293 with the retransmission,
 * congestion control, flow control and defences of the RFCs cited on each method. Sans-I/O: no
 * threads, no clock, no randomness. Every input takes the current time; everything it causes —
 * segments to send, events for the user — goes to the {@link TcbOutput} before the call returns,
 * and {@link #nextDeadline()} says when {@link #timerFired} must be called next. Not thread-safe:
 * one owner drives it. The state machine is here; {@link Sender} builds and sends the segments,
 * {@link Receiver} takes segment text in, {@link RttEstimator} times round trips (Karn).
 */
public final class Tcb {
  /** Supplies the initial send sequence number when a LISTEN block accepts a SYN (RFC 6528). */
  @FunctionalInterface
  public interface IssSource {
    int iss(int remotePort, long nowNanos);

    /** The timestamp clock offset for the peer at {@code remotePort} (RFC 7323 §5.4). */
    default int timestampOffset(int remotePort) {
      return 0;
    }
  }

  /** RFC 6298 §5.7: the RTO data starts with after a SYN timed out. */
  private static final long RTO_AFTER_SYN_TIMEOUT = 3_000_000_000L;

  private final TcpConfig config;
  private final TcbOutput out;

  /** Null for a block that was never in LISTEN, or that accept() made for one SYN. */
  private final IssSource issSource;

  /** The ISS an accept() block answers its SYN with (no per-block IssSource object for it). */
  private int acceptedIss;

  private final boolean returnToListen;

  /** Replaced, not reset, when a passive block returns to LISTEN: nothing stale survives. */
  private SendSequence snd;

  private ReceiveSequence rcv;

  /** Replaced too: a backed-off RTO of an abandoned attempt must not slow the next one. */
  private RttEstimator rtt;

  /** This connection's timestamp clock offset (RFC 7323 §5.4), from the seed. */
  private int tsOffset;

  /** Timestamps (RFC 7323); null when the configuration does not offer them. Replaced too. */
  private Timestamping ts;

  /** The output half and the text half of the input; replaced with the sequence spaces. */
  private Sender sender;

  private Receiver receiver;

  private final TcbTimers timers = new TcbTimers();

  /** Made at the first challenge ACK: most connections never send one. */
  private ChallengeAckLimiter challengeAcks;

  private TcpState state = TcpState.CLOSED;
  private boolean offeredWindowScale;
  private boolean activeOpen;

  /**
   * The peer acknowledged our SYN: the handshake is complete on our side. Usually the same as "past
   * SYN_RECEIVED", except after a CLOSE in SYN_RECEIVED that sent its FIN at once (RFC 9293
   * §3.10.4): then FIN_WAIT_1 still waits for the ACK of the SYN.
   */
  private boolean synAcked;

  /** Consecutive retransmission timeouts without progress. */
  private int retransmissions;

  /** Null unless the configuration asks for keepalive. */
  private final Keepalive keepalive;

  /** Made at the first answer to an empty out-of-window segment. */
  private OutOfWindowAckLimiter outOfWindowAcks;

  private final TcbCounters counters = new TcbCounters();

  private Tcb(
      TcpConfig config,
      TcbOutput out,
      int localPort,
      int remotePort,
      int tsOffset,
      IssSource issSource,
      boolean returnToListen) {
    this.config = config;
    this.tsOffset = tsOffset;
    this.out = out;
    this.issSource = issSource;
    this.returnToListen = returnToListen;
    this.keepalive = config.keepalive() == null ? null : new Keepalive(config.keepalive(), timers);
    startFresh(localPort, remotePort);
  }

  /** New sequence spaces, RTT estimator and sender: nothing of an earlier attempt survives. */
  private void startFresh(int localPort, int remotePort) {
    snd = new SendSequence(config.sendBufferSize());
    rcv =
        new ReceiveSequence(config.receiveBufferSize(), config.mss(), config.maxReassemblyRanges());
    rtt = new RttEstimator(config);
    ts = config.timestamps() ? new Timestamping(tsOffset) : null;
    sender = new Sender(config, out, snd, rcv, rtt, timers, counters, ts, localPort, remotePort);
    receiver = new Receiver(config, out, rcv, timers, counters);
  }

  // ================================================================ opening

  /** Active OPEN with a timestamp offset of 0 (tests): see the other {@code connect}. */
  public static Tcb connect(
      TcpConfig config, int localPort, int remotePort, int iss, TcbOutput out, long nowNanos) {
    return connect(config, localPort, remotePort, iss, 0, out, nowNanos);
  }

  /**
   * Active OPEN (RFC 9293 §3.10.1): sends a SYN with {@code iss} and enters SYN_SENT. Our TSvals
   * are the network clock in milliseconds plus {@code tsOffset} (RFC 7323 §5.4; see {@link
   * IsnGenerator#timestampOffset}).
   */
  public static Tcb connect(
      TcpConfig config,
      int localPort,
      int remotePort,
      int iss,
      int tsOffset,
      TcbOutput out,
      long nowNanos) {
    Tcb tcb = new Tcb(config, out, localPort, remotePort, tsOffset, null, false);
    tcb.activeOpen = true;
    tcb.snd.start(iss);
    tcb.offeredWindowScale = config.windowScaling();
    tcb.enter(TcpState.SYN_SENT);
    tcb.sender.sendSyn(nowNanos, false, tcb.offeredWindowScale);
    return tcb;
  }

  /**
   * Passive OPEN (RFC 9293 §3.10.1): a block in LISTEN that takes the first SYN; a reset or a new
   * SYN in SYN_RECEIVED, or the SYN-ACK's retries running out, return it to LISTEN. SEND is not
   * supported in LISTEN (see {@link #send}).
   */
  public static Tcb listen(TcpConfig config, int localPort, IssSource issSource, TcbOutput out) {
    Tcb tcb = new Tcb(config, out, localPort, 0, 0, issSource, true);
    tcb.enter(TcpState.LISTEN);
    return tcb;
  }

  /**
   * A connection for a SYN a listener accepted: answers with SYN-ACK from {@code iss} and is in
   * SYN_RECEIVED. A reset then closes it (the listener itself stays).
   */
  public static Tcb accept(
      TcpConfig config, TcpSegment syn, int iss, TcbOutput out, long nowNanos) {
    return accept(config, syn, iss, 0, out, nowNanos);
  }

  /** As the other {@code accept}, with the timestamp offset of the 4-tuple (RFC 7323 §5.4). */
  public static Tcb accept(
      TcpConfig config, TcpSegment syn, int iss, int tsOffset, TcbOutput out, long nowNanos) {
    Tcb tcb = new Tcb(config, out, syn.destinationPort(), syn.sourcePort(), tsOffset, null, false);
    tcb.acceptedIss = iss;
    tcb.state = TcpState.LISTEN;
    tcb.segmentArrived(syn, nowNanos);
    return tcb;
  }

  /**
   * A connection for the final ACK of a handshake a listener answered with a SYN cookie (RFC 4987
   * §3.6, {@link SynCookies}): nothing was kept of the SYN, so the block is rebuilt as {@link
   * #accept} would have left it after sending its SYN-ACK — ISS = SEG.ACK − 1, IRS = SEG.SEQ − 1,
   * the options of {@code synOptions} negotiated (what the cookie kept of the SYN's: MSS, and
   * window scale, SACK-permitted and timestamps when timestamps carried them), the SYN-ACK's
   * sequence number and window taken — and then {@code ack} arrives in SYN_RECEIVED as usual: the
   * connection is ESTABLISHED, and any data or FIN on the ACK is taken. No SYN-ACK was timed, so
   * the only RTT sample is the TSecr echo (RFC 7323 §4.1), if any.
   *
   * @param ack the peer's segment carrying a valid cookie (ACK set, SYN and RST not)
   * @param synOptions what {@link SynCookies.Check.Valid#synOptions()} gave for it
   */
  public static Tcb acceptCookie(
      TcpConfig config,
      TcpSegment ack,
      dev.vnetif.wire.TcpOptions synOptions,
      int tsOffset,
      TcbOutput out,
      long nowNanos) {
    Tcb tcb = new Tcb(config, out, ack.destinationPort(), ack.sourcePort(), tsOffset, null, false);
    tcb.state = TcpState.LISTEN;
    tcb.snd.start(ack.ack() - 1);
    tcb.rcv.start(ack.seq() - 1);
    tcb.offeredWindowScale = config.windowScaling() && synOptions.windowScale() >= 0;
    OptionsNegotiation.apply(
        synOptions, tcb.offeredWindowScale, config, tcb.snd, tcb.rcv, tcb.ts, nowNanos);
    // The SYN's window is unknown; the ACK's (scaled) replaces it below (RFC 9293 §3.10.7.4).
    tcb.snd.synWindow(0, ack.seq() - 1, 0);
    tcb.lastHeard(nowNanos);
    tcb.enter(TcpState.SYN_RECEIVED);
    // What sending the SYN-ACK did: its sequence number taken, its (unscaled) window offered.
    tcb.snd.sent(tcb.snd.iss() + 1);
    tcb.rcv.windowField(true);
    tcb.segmentArrived(ack, nowNanos);
    return tcb;
  }

  // ================================================================ queries

  public TcpState state() {
    return state;
  }

  public int localPort() {
    return sender.localPort();
  }

  public int remotePort() {
    return sender.remotePort();
  }

  /** The earliest time {@link #timerFired} must run, or {@link TcbTimers#OFF}. */
  public long nextDeadline() {
    return timers.next();
  }

  public TcbTimers timers() {
    return timers;
  }

  /** Bytes {@link #send} would take now. */
  public int sendBufferFree() {
    return snd.buffer().free();
  }

  /** Total bytes ever written and acknowledged by the peer. */
  public long acknowledgedTotal() {
    return snd.buffer().consumedTotal();
  }

  /** Total bytes ever accepted by {@link #send}. */
  public long writtenTotal() {
    return snd.buffer().appendedTotal();
  }

  public boolean canSend() {
    return state.canSend() && !snd.finQueued();
  }

  /** This connection as a compact TIME_WAIT entry for its host's table ({@link TimeWait#of}). */
  public TimeWait timeWait() {
    return TimeWait.of(snd, rcv, ts);
  }

  public TcbStats stats() {
    return TcbStats.of(state, rtt, sender.recovery(), snd, rcv, counters);
  }

  /**
   * RACK's state (RFC 8985 §6.1) as a read-only snapshot, or null when this connection does not use
   * RACK-TLP (no SACK, another loss detection, or the handshake not yet complete). For tests in
   * this package only.
   */
  RackView rackView() {
    return sender.rackView();
  }

  // ================================================================ user calls

  /**
   * SEND (RFC 9293 §3.10.2): queues as much of {@code data} as the send buffer takes and transmits
   * what the windows allow. With {@code nodelay} the data bypasses Nagle.
   *
   * @return the bytes taken (0 when the buffer is full)
   * @throws IllegalStateException in LISTEN (unsupported, see below), and once the connection is
   *     closing or closed for sending
   */
  public int send(ByteString data, boolean nodelay, long nowNanos) {
    if (state == TcpState.LISTEN) {
      // RFC 9293 §3.10.2 lets SEND in LISTEN turn the passive open into an active one, but
      // only when the SEND names the foreign socket; ours names none, and for that case the
      // RFC answers "error: foreign socket unspecified". Active opens go through connect().
      throw new IllegalStateException(
          "cannot send in state LISTEN: foreign socket unspecified"
              + " (RFC 9293 §3.10.2); a listening block has no peer, use Tcb.connect to open one");
    }
    if (!canSend()) {
      throw new IllegalStateException(
          "cannot send in state " + state + (snd.finQueued() ? " after shutdown" : ""));
    }
    int taken = snd.buffer().append(data);
    if (nodelay) {
      snd.markNodelay();
    }
    if (state.isSynchronized()) {
      sender.transmit(nowNanos);
    }
    return taken;
  }

  /**
   * The application consumed {@code bytes} of delivered data: the window opens, and an ACK
   * announces it once it opened by at least min(buffer/2, MSS) (RFC 1122 §4.2.3.3), so a slow
   * reader never leaves the peer stuck at a zero window.
   */
  public void consumed(int bytes, long nowNanos) {
    rcv.consume(bytes);
    if (state.canReceive() && state != TcpState.SYN_RECEIVED && rcv.windowUpdateWorthSending()) {
      sender.sendAck(nowNanos);
    }
  }

  /**
   * CLOSE for writing (RFC 9293 §3.10.4): a FIN follows the queued data. ESTABLISHED goes to
   * FIN_WAIT_1 and CLOSE_WAIT to LAST_ACK at once; in SYN_RECEIVED the FIN goes out at once
   * (FIN_WAIT_1) if nothing was ever written, else it waits for ESTABLISHED; before a SYN was
   * answered the connection just closes.
   */
  public void shutdownWrite(long nowNanos) {
    switch (state) {
      case LISTEN, SYN_SENT -> close(CloseReason.NORMAL);
      case SYN_RECEIVED -> {
        snd.queueFin();
        // RFC 9293 §3.10.4: "if no SENDs have been issued and there is no pending data to
        // send, then form a FIN segment and send it, and enter FIN-WAIT-1 state; otherwise,
        // queue for processing after entering ESTABLISHED state".
        if (snd.buffer().appendedTotal() == 0) {
          enter(TcpState.FIN_WAIT_1);
          sender.sendFinIfDue(nowNanos);
        }
      }
      case ESTABLISHED -> {
        snd.queueFin();
        enter(TcpState.FIN_WAIT_1);
        sender.transmit(nowNanos);
      }
      case CLOSE_WAIT -> {
        snd.queueFin();
        enter(TcpState.LAST_ACK);
        sender.transmit(nowNanos);
      }
      default -> {} // already closing: RFC 9293 answers "connection closing", no change
    }
  }

  /**
   * ABORT (RFC 9293 §3.10.5): RST where the peer may hold state, then CLOSED. The RFC's {@code
   * <SEQ=SND.NXT>} is SND.MAX here: after a go-back-N rewind SND.NXT can lie below what the peer
   * already received, and a RST below RCV.NXT is dropped unseen (RFC 9293 §3.10.7.4 first check),
   * while SND.MAX is in the peer's window — exact (RFC 5961 §3.2) or answered by a challenge ACK
   * that our CLOSED block resets. BSD stamps segments without data with snd_max for the same
   * reason.
   */
  public void abort(long nowNanos) {
    switch (state) {
      case SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT ->
          sender.sendReset(nowNanos);
      default -> {}
    }
    if (state != TcpState.CLOSED) {
      close(CloseReason.ABORTED);
    }
  }

  /** Runs every timer due at {@code nowNanos}. */
  public void timerFired(long nowNanos) {
    if (timers.due(Kind.TIME_WAIT, nowNanos)) {
      close(CloseReason.NORMAL);
      return;
    }
    if (timers.due(Kind.PROBE, nowNanos)) {
      // Before the RTO: a probe due with it goes instead, and restarts it (RFC 8985 §7.3).
      timers.cancel(Kind.PROBE);
      sender.onProbeTimeout(nowNanos, state.isSynchronized() && state != TcpState.TIME_WAIT);
    }
    if (timers.due(Kind.RETRANSMIT, nowNanos)) {
      timers.cancel(Kind.RETRANSMIT);
      onRetransmissionTimeout(nowNanos);
    }
    if (timers.due(Kind.REORDER, nowNanos)) {
      timers.cancel(Kind.REORDER);
      if (state.isSynchronized() && state != TcpState.TIME_WAIT) {
        sender.onReorderTimeout(nowNanos);
      }
    }
    if (timers.due(Kind.PERSIST, nowNanos)) {
      timers.cancel(Kind.PERSIST);
      sender.onPersistTimeout(nowNanos, state.isSynchronized());
    }
    if (timers.due(Kind.KEEPALIVE, nowNanos)) {
      timers.cancel(Kind.KEEPALIVE);
      onKeepaliveTimeout(nowNanos);
    }
    if (timers.due(Kind.DELAYED_ACK, nowNanos)) {
      timers.cancel(Kind.DELAYED_ACK);
      rcv.oweAck();
    }
    finishInput(nowNanos);
  }

  // ================================================================ SEGMENT ARRIVES

  /** SEGMENT ARRIVES (RFC 9293 §3.10.7), dispatched by state. */
  public void segmentArrived(TcpSegment segment, long nowNanos) {
    arrive(segment, nowNanos);
    finishInput(nowNanos);
  }

  /**
   * Several segments that arrived together, processed in order as one input: what they make owed —
   * an ACK, new data the ACKs allow — goes out once, after the last. This is receive offload as
   * Linux's GRO does it: one cumulative ACK for a burst instead of one per two segments, and one
   * burst of new data for a run of ACKs.
   */
  public void segmentsArrived(List<TcpSegment> segments, long nowNanos) {
    for (int i = 0, n = segments.size(); i < n && state != TcpState.CLOSED; i++) {
      arrive(segments.get(i), nowNanos);
    }
    finishInput(nowNanos);
  }

  private void arrive(TcpSegment segment, long nowNanos) {
    counters.segmentReceived();
    switch (state) {
      case CLOSED -> answerInClosed(segment, nowNanos);
      case LISTEN -> onListen(segment, nowNanos);
      case SYN_SENT -> onSynSent(segment, nowNanos);
      default -> onSynchronized(segment, nowNanos);
    }
  }

  /** RFC 9293 §3.10.7.1: everything but a RST gets a RST. */
  private void answerInClosed(TcpSegment seg, long now) {
    if (seg.isRst()) {
      return;
    }
    if (seg.isAck()) {
      sender.sendResetTo(seg.sourcePort(), seg.ack(), 0, TcpSegment.RST);
    } else {
      sender.sendResetTo(
          seg.sourcePort(), 0, seg.seq() + seg.segmentLength(), TcpSegment.RST | TcpSegment.ACK);
    }
  }

  /** RFC 9293 §3.10.7.2: LISTEN ignores RST, resets an ACK, answers a SYN with SYN-ACK. */
  private void onListen(TcpSegment seg, long now) {
    if (seg.isRst()) {
      return;
    }
    if (seg.isAck()) {
      sender.sendResetTo(seg.sourcePort(), seg.ack(), 0, TcpSegment.RST);
      return;
    }
    if (!seg.isSyn()) {
      return;
    }
    sender.setRemotePort(seg.sourcePort());
    snd.start(issSource == null ? acceptedIss : issSource.iss(seg.sourcePort(), now));
    if (issSource != null && ts != null) {
      tsOffset = issSource.timestampOffset(seg.sourcePort());
      ts.useOffset(tsOffset);
    }
    rcv.start(seg.seq());
    offeredWindowScale = config.windowScaling() && seg.options().windowScale() >= 0;
    OptionsNegotiation.apply(seg.options(), offeredWindowScale, config, snd, rcv, ts, now);
    // RFC 7323 §2.2: the window of a SYN is never scaled.
    snd.synWindow(seg.window(), seg.seq(), seg.ack());
    lastHeard(now);
    enter(TcpState.SYN_RECEIVED);
    sender.sendSyn(now, true, offeredWindowScale);
  }

  /** RFC 9293 §3.10.7.3, with RFC 5961 §3.2's "blind RST in SYN_SENT is dropped". */
  private void onSynSent(TcpSegment seg, long now) {
    boolean ackAcceptable = false;
    if (seg.isAck()) {
      if (SeqNum.leq(seg.ack(), snd.iss()) || SeqNum.gt(seg.ack(), snd.ackLimit())) {
        if (!seg.isRst()) {
          sender.sendResetTo(seg.sourcePort(), seg.ack(), 0, TcpSegment.RST);
        }
        return;
      }
      ackAcceptable = true;
    }
    if (seg.isRst()) {
      if (ackAcceptable) {
        close(CloseReason.REFUSED);
      }
      return;
    }
    if (!seg.isSyn()) {
      return;
    }
    rcv.start(seg.seq());
    OptionsNegotiation.apply(seg.options(), offeredWindowScale, config, snd, rcv, ts, now);
    snd.synWindow(seg.window(), seg.seq(), seg.ack());
    lastHeard(now);
    if (ackAcceptable) {
      acknowledgeSyn(seg, now);
      establish(now);
      rcv.oweAck();
    } else {
      // Simultaneous open (RFC 9293 §3.10.7.3 fourth, figure 7): SYN-ACK from our ISS,
      // offering window scale only if the peer's SYN did (RFC 7323 §2.2).
      offeredWindowScale &= seg.options().windowScale() >= 0;
      enter(TcpState.SYN_RECEIVED);
      sender.sendSyn(now, true, offeredWindowScale);
    }
  }

  /** RFC 9293 §3.10.7.4 for SYN_RECEIVED and every synchronized state. */
  private void onSynchronized(TcpSegment seg, long now) {
    if (ts != null && !seg.isRst() && ts.rejects(seg.options().timestamps(), now)) {
      onPawsRejected(seg, now);
      return;
    }
    if (!synAcked && seg.isSyn() && !seg.isRst() && seg.seq() == rcv.irs()) {
      onPeerSynAgain(seg, now);
      return;
    }
    if (!rcv.acceptable(seg.seq(), seg.segmentLength())) {
      if (rcv.window() == 0
          && seg.seq() == rcv.rcvNxt()
          && seg.isAck()
          && !seg.isRst()
          && !seg.isSyn()
          && synAcked) {
        // RFC 9293 §3.10.7.4: with a zero window no data is acceptable, "but special
        // allowance should be made to accept valid ACKs" — else two ends with closed windows
        // would never hear each other's ACKs and window updates (mirage-tcpip issue 340).
        lastHeard(now);
        onAck(seg, now);
      }
      onUnacceptable(seg, now);
      return;
    }
    lastHeard(now);
    if (seg.isRst()) {
      onResetInWindow(seg, now);
      return;
    }
    if (seg.isSyn()) {
      if (state == TcpState.SYN_RECEIVED && !activeOpen) {
        // RFC 9293 §3.10.7.4 fourth: a passive open goes back to LISTEN (for a block a
        // listener accepted, that means this attempt is over).
        if (returnToListen) {
          backToListen();
        } else {
          close(CloseReason.RESET);
        }
        return;
      }
      challengeAck(now); // RFC 5961 §4.2: any SYN on a synchronized connection
      return;
    }
    if (!seg.isAck()) {
      return;
    }
    boolean proceed = synAcked ? onAck(seg, now) : onAckInSynReceived(seg, now);
    if (proceed && ts != null) {
      // RFC 7323 §4.3 (2), once the segment passed the ACK check, as Linux does: a segment
      // dropped for an unacceptable ACK (RFC 5961 §5.2) must not move TS.Recent, or one forged
      // TSval would make PAWS reject every real segment after it (packetdrill invalid_ack).
      ts.update(seg.options().timestamps(), seg.seq(), now);
    }
    if (proceed && (seg.payload().nonEmpty() || seg.isFin())) {
      onText(seg, now);
    }
  }

  /**
   * The peer's SYN again while our SYN is unacknowledged (SYN_RECEIVED, or FIN_WAIT_1 after an
   * early CLOSE): its SYN-ACK in a simultaneous open (RFC 9293 figure 7, line 6) completes the
   * handshake; a plain retransmitted SYN means our SYN-ACK was lost, so it is sent again.
   */
  private void onPeerSynAgain(TcpSegment seg, long now) {
    lastHeard(now);
    if (seg.isAck()) {
      onAckInSynReceived(seg, now);
    } else {
      sender.sendSyn(now, true, offeredWindowScale);
    }
  }

  /**
   * PAWS (RFC 7323 §5.3 R1): the segment is an old duplicate — "send an acknowledgment in reply ...
   * and drop the segment", as for any unacceptable one. A SYN gets a challenge ACK instead (RFC
   * 5961 §4.2; Linux's tcp_validate_incoming does the same). RSTs never reach here (R1 exempts
   * them).
   */
  private void onPawsRejected(TcpSegment seg, long now) {
    counters.pawsReject();
    if (seg.isSyn()) {
      challengeAck(now);
    } else {
      onUnacceptable(seg, now);
    }
  }

  /**
   * First check failed: answer with an ACK unless it is a RST (RFC 9293 §3.10.7.4); a retransmitted
   * FIN in TIME_WAIT also restarts the 2·MSL wait. Data below RCV.NXT is a duplicate the ACK
   * reports as D-SACK (RFC 2883 §4).
   */
  private void onUnacceptable(TcpSegment seg, long now) {
    if (seg.isRst()) {
      return;
    }
    int dataLength = seg.payload().length();
    if (dataLength > 0 && SeqNum.lt(seg.seq(), rcv.rcvNxt())) {
      int end = seg.seq() + dataLength;
      rcv.duplicateReceived(seg.seq(), SeqNum.lt(end, rcv.rcvNxt()) ? end : rcv.rcvNxt());
    }
    if (state == TcpState.TIME_WAIT && seg.isFin()) {
      timers.arm(Kind.TIME_WAIT, now + 2 * config.mslNanos());
    }
    if (seg.segmentLength() == 0 && seg.seq() != rcv.rcvNxt() - 1) {
      // Rate-limited, but a keepalive probe (SEQ = RCV.NXT − 1, RFC 1122 §4.2.3.6) is always
      // answered.
      if (outOfWindowAcks == null) {
        outOfWindowAcks = new OutOfWindowAckLimiter(now);
      } else if (!outOfWindowAcks.tryAcquire(now)) {
        return;
      }
    }
    rcv.oweAck();
  }

  /**
   * RFC 5961 §3.2: a RST exactly at RCV.NXT resets the connection; any other in-window RST only
   * earns a (rate-limited) challenge ACK.
   */
  private void onResetInWindow(TcpSegment seg, long now) {
    if (seg.seq() != rcv.rcvNxt()) {
      challengeAck(now);
      return;
    }
    switch (state) {
      case SYN_RECEIVED -> {
        if (returnToListen) {
          backToListen();
        } else {
          close(activeOpen ? CloseReason.REFUSED : CloseReason.RESET);
        }
      }
      case TIME_WAIT -> close(CloseReason.NORMAL);
      default -> close(CloseReason.RESET);
    }
  }

  /**
   * RFC 9293 §3.10.7.4 fifth, SYN_RECEIVED: an ACK of our SYN completes the handshake. After a
   * CLOSE in SYN_RECEIVED sent the FIN at once, the ACK may cover that FIN too.
   */
  private boolean onAckInSynReceived(TcpSegment seg, long now) {
    if (SeqNum.leq(seg.ack(), snd.sndUna()) || SeqNum.gt(seg.ack(), snd.sndMax())) {
      sender.sendResetTo(seg.sourcePort(), seg.ack(), 0, TcpSegment.RST);
      return false;
    }
    acknowledgeSyn(seg, now);
    establish(now);
    snd.updateWindow(seg.window(), seg.seq(), seg.ack());
    if (snd.finQueued() && state == TcpState.ESTABLISHED) {
      enter(TcpState.FIN_WAIT_1); // a CLOSE queued in SYN_RECEIVED (RFC 9293 §3.10.4)
    }
    return advanceOnFinAcked(now);
  }

  /**
   * RFC 9293 §3.10.7.4 fifth, synchronized states, with RFC 5961 §5.2's acceptable range [SND.UNA −
   * MAX.SND.WND, SND.NXT]. Returns false when the segment must be dropped.
   */
  private boolean onAck(TcpSegment seg, long now) {
    int ack = seg.ack();
    if (SeqNum.gt(ack, snd.ackLimit()) || SeqNum.lt(ack, snd.sndUna() - snd.maxSndWnd())) {
      challengeAck(now);
      return false;
    }
    if (rcv.sackEnabled()) {
      if (!seg.options().sackBlocks().isEmpty()) {
        sender.onSackBlocks(seg.options().sackBlocks(), ack, now); // RFC 2018 §3
      }
      sender.updateScoreboard(seg.options().sackBlocks(), ack, now); // RFC 6675 §5
    }
    boolean duplicate =
        ack == snd.sndUna()
            && seg.payload().isEmpty()
            && !seg.isFin()
            && (seg.window() << snd.sndScale()) == snd.sndWnd()
            && snd.flightSize() > 0;
    boolean advanced = SeqNum.gt(ack, snd.sndUna());
    if (advanced) {
      onNewAck(ack, seg, now);
    } else if (duplicate) {
      onDuplicateAck(ack, now);
    }
    sender.afterAck(ack, advanced, now); // RACK-TLP (RFC 8985), with SACK
    if (snd.isWindowUpdate(seg.seq(), ack) && SeqNum.geq(ack, snd.sndUna())) {
      boolean wasClosed = snd.sndWnd() == 0;
      snd.updateWindow(seg.window(), seg.seq(), ack);
      if (wasClosed && snd.sndWnd() > 0) {
        sender.windowOpened();
      }
    }
    return advanceOnFinAcked(now);
  }

  /** The state moves RFC 9293 makes when our FIN is acknowledged. */
  private boolean advanceOnFinAcked(long now) {
    if (!snd.finAcked()) {
      return true;
    }
    switch (state) {
      case FIN_WAIT_1 -> enter(TcpState.FIN_WAIT_2);
      case CLOSING -> enterTimeWait(now);
      case LAST_ACK -> {
        close(CloseReason.NORMAL);
        return false;
      }
      default -> {}
    }
    return true;
  }

  /** New data acknowledged: RTT sample, congestion control, retransmission timer (RFC 6298 §5). */
  private void onNewAck(int ack, TcpSegment seg, long now) {
    int bytesAcked = snd.acknowledge(ack);
    measureRtt(ack, seg, now);
    retransmissions = 0;
    boolean cwndLimited = sender.cwndLimited();
    sender.ackedForRound(ack);
    LossRecovery.AckKind kind =
        sender
            .recovery()
            .onNewAck(ack, Math.max(1, bytesAcked), snd.sndMax() - ack, cwndLimited, now);
    boolean partial =
        kind == LossRecovery.AckKind.FIRST_PARTIAL || kind == LossRecovery.AckKind.PARTIAL;
    if (partial && !sender.usesScoreboard()) {
      // RFC 6582 §3.2 step 3: retransmit the first unacknowledged segment at once. With SACK the
      // scoreboard says what is lost (RFC 6675 §5), and the output of this input sends it.
      sender.retransmitFirst(now);
    }
    if (kind == LossRecovery.AckKind.RECOVERY_EXIT) {
      sender.onRecoveryExit();
    }
    if (snd.sndUna() == snd.sndMax()) {
      timers.cancel(Kind.RETRANSMIT); // RFC 6298 §5.2
    } else if (kind != LossRecovery.AckKind.PARTIAL || sender.usesScoreboard()) {
      // RFC 6298 §5.3; RFC 6582 §3.2 step 3: only the first partial ACK restarts it.
      timers.arm(Kind.RETRANSMIT, now + rtt.rtoNanos());
    }
    if (bytesAcked > 0) {
      out.event(new TcbEvent.DataAcknowledged(snd.buffer().consumedTotal(), snd.buffer().free()));
    }
  }

  private void onDuplicateAck(int ack, long now) {
    if (sender.recovery().onDuplicateAck(ack, snd.sndMax(), snd.sndMax() - snd.sndUna(), now)) {
      counters.fastRetransmit();
      if (sender.usesScoreboard()) {
        sender.onDupThreshLoss(); // RFC 6675 §5 step 4: sent with this input's output
      } else {
        sender.retransmitFirst(now); // RFC 5681 §3.2 step 2
      }
    }
  }

  /**
   * RFC 9293 §3.10.7.4 seventh and eighth: the text goes to the {@link Receiver}; the peer's FIN,
   * once reached, moves the state.
   */
  private void onText(TcpSegment seg, long now) {
    if (!state.canReceive()) {
      return; // the peer already sent FIN: later text is a bogus retransmission
    }
    if (!receiver.onText(seg, now)) {
      return;
    }
    switch (state) {
      case SYN_RECEIVED, ESTABLISHED -> enter(TcpState.CLOSE_WAIT);
      case FIN_WAIT_1 -> {
        if (snd.finAcked()) {
          enterTimeWait(now);
        } else {
          enter(TcpState.CLOSING);
        }
      }
      case FIN_WAIT_2 -> enterTimeWait(now);
      default -> {}
    }
  }

  /**
   * An ACK advanced SND.UNA: the timed segment gives a sample if it is covered (RFC 6298 §3, Karn);
   * otherwise, with timestamps, the echoed TSecr does (RTTM, RFC 7323 §4.1) — one sample per ACK
   * that acknowledges new data, retransmissions included, since the echo tells which copy was
   * answered. The timed segment, measured to the nanosecond, is preferred, as Linux prefers its
   * per-segment send times to the 1 ms TSecr. Without timestamps, the scoreboard's send times give
   * the congestion control a sample per ACK all the same ({@link Sender#perAckRttSample}).
   */
  private void measureRtt(int ack, TcpSegment seg, long now) {
    if (rtt.onAck(ack, now)) {
      return;
    }
    if (ts == null) {
      sender.perAckRttSample(now); // for the congestion control only
      return;
    }
    long fromEcho = ts.rttNanos(seg.options().timestamps(), now);
    if (fromEcho >= 0 && fromEcho <= RttEstimator.MAX_SAMPLE_NANOS) {
      rtt.sample(fromEcho);
    }
  }

  // ================================================================ transitions

  private void enter(TcpState next) {
    TcpState previous = state;
    state = next;
    out.event(new TcbEvent.StateChanged(previous, next));
  }

  private void acknowledgeSyn(TcpSegment seg, long now) {
    int ack = seg.ack();
    snd.acknowledge(ack);
    synAcked = true;
    // The SYN is the only segment that can be timed here (data waits for ESTABLISHED), and an
    // acceptable ACK covers it; after a retransmitted SYN nothing is timed (Karn) — unless the
    // ACK echoes a timestamp, which names the copy it answers (RFC 7323 §4.1).
    measureRtt(ack, seg, now);
    if (retransmissions > 0) {
      rtt.reinitializeAfterSynTimeout(RTO_AFTER_SYN_TIMEOUT); // RFC 6298 §5.7
    }
    retransmissions = 0;
    if (snd.sndUna() == snd.sndMax()) {
      timers.cancel(Kind.RETRANSMIT); // RFC 6298 §5.2
    } else {
      // RFC 6298 §5.3: a FIN sent in SYN_RECEIVED (RFC 9293 §3.10.4) is still outstanding.
      timers.arm(Kind.RETRANSMIT, now + rtt.rtoNanos());
    }
  }

  /**
   * The handshake completed: the user hears of it and the state becomes ESTABLISHED — unless a
   * CLOSE in SYN_RECEIVED already moved it on to FIN_WAIT_1 (RFC 9293 §3.10.4).
   */
  private void establish(long now) {
    sender.startCongestionControl();
    if (state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED) {
      enter(TcpState.ESTABLISHED);
    }
    out.event(TcbEvent.ESTABLISHED);
    if (keepalive != null) {
      keepalive.arm(now);
    }
  }

  private void enterTimeWait(long now) {
    enter(TcpState.TIME_WAIT);
    timers.cancelAll();
    timers.arm(Kind.TIME_WAIT, now + 2 * config.mslNanos());
  }

  private void backToListen() {
    timers.cancelAll();
    startFresh(sender.localPort(), sender.remotePort());
    retransmissions = 0;
    synAcked = false;
    enter(TcpState.LISTEN);
  }

  private void close(CloseReason reason) {
    timers.cancelAll();
    rcv.forgetOwedAck();
    enter(TcpState.CLOSED);
    out.event(new TcbEvent.Closed(reason));
  }

  // ================================================================ timers

  /** RFC 6298 §5.4–5.7: retransmit the earliest unacknowledged segment, back off, restart. */
  private void onRetransmissionTimeout(long now) {
    retransmissions++;
    counters.timeout();
    rtt.onRetransmit(); // Karn: everything outstanding is sent again
    if (!synAcked) {
      onSynTimeout(now);
      return;
    }
    if (snd.sndUna() == snd.sndMax() || !state.isSynchronized() || state == TcpState.TIME_WAIT) {
      return;
    }
    if (retransmissions > config.maxRetransmissions()) {
      close(CloseReason.TIMEOUT);
      return;
    }
    rtt.backoff();
    sender.goBackN(now, retransmissions == 1);
  }

  /**
   * Our SYN or SYN-ACK timed out: send it again with the backed-off RTO (RFC 6298 §5.5), up to the
   * SYN retry limit (R2 of RFC 9293 §3.8.3). After a CLOSE in SYN_RECEIVED the FIN waits behind the
   * SYN-ACK (go-back-N) and follows once the SYN is acknowledged.
   */
  private void onSynTimeout(long now) {
    if (retransmissions > config.maxSynRetransmissions()) {
      if (state == TcpState.SYN_RECEIVED && returnToListen) {
        // RFC 9293 §3.8.3 closes "the connection" after R2; for a passive OPEN that is this
        // attempt, not the user's LISTEN, which was never closed. As §3.10.7.4 does for a
        // RST or SYN in SYN-RECEIVED, the block returns to LISTEN and the user is not told.
        // An accept() block stands for the one attempt, so it closes with TIMEOUT.
        backToListen();
      } else {
        close(CloseReason.TIMEOUT);
      }
      return;
    }
    rtt.backoff();
    sender.sendSyn(now, state != TcpState.SYN_SENT, offeredWindowScale);
  }

  /** Keepalive (RFC 1122 §4.2.3.6): probe an idle peer, close once it stopped answering. */
  private void onKeepaliveTimeout(long now) {
    if (keepalive == null
        || !(state == TcpState.ESTABLISHED
            || state == TcpState.CLOSE_WAIT
            || state == TcpState.FIN_WAIT_2)) {
      return;
    }
    switch (keepalive.onTimeout(now, snd.sndUna() != snd.sndMax())) {
      case PROBE -> {
        sender.sendKeepaliveProbe(now);
        counters.keepaliveProbe();
      }
      case GIVE_UP -> close(CloseReason.KEEPALIVE_TIMEOUT);
      case WAIT -> {}
    }
  }

  private void lastHeard(long now) {
    if (keepalive != null) {
      keepalive.heardFromPeer(now, state.isSynchronized());
    }
  }

  // ================================================================ output

  /** Sends what is owed at the end of every input: data the windows allow, else a pure ACK. */
  private void finishInput(long now) {
    if (state.isSynchronized() && state != TcpState.TIME_WAIT) {
      sender.transmit(now);
    }
    if (rcv.ackOwed() && state != TcpState.CLOSED && state != TcpState.LISTEN) {
      sender.sendAck(now);
    }
  }

  private void challengeAck(long now) {
    if (challengeAcks == null) {
      challengeAcks = new ChallengeAckLimiter(config.challengeAckLimit());
    }
    if (challengeAcks.tryAcquire(now)) {
      counters.challengeAck();
      sender.sendAck(now);
    }
  }
}
