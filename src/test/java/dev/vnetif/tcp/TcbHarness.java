package dev.vnetif.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vnetif.wire.SackBlock;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import dev.vnetif.wire.Timestamps;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * The smoltcp-style harness for {@link Tcb} tests: build segments from the peer, feed them at
 * explicit times, and assert the exact segments and events that come out.
 *
 * <pre>{@code
 * TcbHarness h = TcbHarness.established();
 * h.send(h.at(10), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).payload("abc"));
 * h.expectEvent(new TcbEvent.DataReceived(ByteString.fromString("abc")));
 * h.tick(h.at(50));                       // the delayed ACK timer fires at 10 + 40 ms
 * h.expectSegment(seg().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 3).window(WINDOW - 3));
 * }</pre>
 *
 * Conventions: we are port {@link #LOCAL_PORT}, the peer {@link #REMOTE_PORT}. Our ISS is {@link
 * #LOCAL_ISS}, the peer's {@link #REMOTE_ISS}; after the handshake our next sequence number is
 * {@link #LOCAL_SEQ} and the peer's {@link #REMOTE_SEQ}. The fixture config has a 64000-byte
 * receive buffer (window scale 0, so window fields are exact byte counts), MSS 1460, 40 ms delayed
 * ACK, RTO 1 s initial within [200 ms, 60 s], MSL 30 s. The fixtures answer our SYN at the same
 * instant, so the handshake gives an RTT sample of 0 and the RTO of an established fixture is the
 * 200 ms floor (RFC 6298 §2.2, §2.4). Time starts at {@link #T0}; {@code at(ms)} is T0 plus
 * milliseconds.
 */
final class TcbHarness implements TcbOutput {
  static final int LOCAL_PORT = 80;
  static final int REMOTE_PORT = 49500;
  static final int LOCAL_ISS = 10_000;
  static final int REMOTE_ISS = 20_000;
  static final int LOCAL_SEQ = LOCAL_ISS + 1;
  static final int REMOTE_SEQ = REMOTE_ISS + 1;
  static final int MSS = 1460;
  static final int WINDOW = 64_000;
  static final long MS = 1_000_000L;
  static final long T0 = 1_000_000_000_000L;

  /**
   * The fixture configuration described in the class comment. Timestamps and SACK are off: the rule
   * tests of other mechanisms count exact segment sizes (MSS 1460, not 1448) and exact option
   * lists; the timestamps and SACK tests start from {@link #withTimestampsAndSack()}.
   */
  static TcpConfig config() {
    return TcpConfig.defaults().withBuffers(WINDOW, WINDOW).withTimestamps(false).withSack(false);
  }

  /** {@link #config()} with timestamps (RFC 7323) and SACK (RFC 2018), as the defaults have. */
  static TcpConfig withTimestampsAndSack() {
    return config().toBuilder().timestamps(true).sack(true).build();
  }

  final ArrayDeque<TcpSegment> segments = new ArrayDeque<>();
  final ArrayDeque<TcbEvent> events = new ArrayDeque<>();
  Tcb tcb;
  long now = T0;

  @Override
  public void segment(TcpSegment segment) {
    segments.addLast(segment);
  }

  @Override
  public void event(TcbEvent event) {
    events.addLast(event);
  }

  /** T0 plus {@code millis} milliseconds. */
  static long at(long millis) {
    return T0 + millis * MS;
  }

  // ------------------------------------------------------------------ fixtures

  /** A block in LISTEN on {@link #LOCAL_PORT} that will use {@link #LOCAL_ISS}. */
  static TcbHarness listen(TcpConfig config) {
    TcbHarness h = new TcbHarness();
    h.tcb = Tcb.listen(config, LOCAL_PORT, (port, t) -> LOCAL_ISS, h);
    h.clear();
    return h;
  }

  static TcbHarness listen() {
    return listen(config());
  }

  /** Active open: our SYN went out (and was taken off the record). */
  static TcbHarness synSent(TcpConfig config) {
    TcbHarness h = new TcbHarness();
    h.tcb = Tcb.connect(config, LOCAL_PORT, REMOTE_PORT, LOCAL_ISS, h, h.now);
    h.clear();
    return h;
  }

  static TcbHarness synSent() {
    return synSent(config());
  }

  /** Passive open: the peer's SYN (MSS 1460, no scaling) arrived and our SYN-ACK went out. */
  static TcbHarness synReceived(TcpConfig config) {
    TcbHarness h = listen(config);
    h.send(h.now, seg().flags(TcpSegment.SYN).seq(REMOTE_ISS).ack(0).mss(MSS));
    h.clear();
    return h;
  }

  static TcbHarness synReceived() {
    return synReceived(config());
  }

  /** Handshake done as the active side; the peer offered {@link #WINDOW} and MSS 1460. */
  static TcbHarness established(TcpConfig config) {
    TcbHarness h = synSent(config);
    h.send(
        h.now,
        seg().flags(TcpSegment.SYN | TcpSegment.ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS));
    h.clear();
    return h;
  }

  static TcbHarness established() {
    return established(config());
  }

  /**
   * Active open at T0 with {@code config}, answered at T0 by {@code synAck} (whatever options the
   * peer's SYN-ACK carries); everything recorded so far is forgotten.
   */
  static TcbHarness establishedWith(TcpConfig config, SegmentBuilder synAck) {
    TcbHarness h = synSent(config);
    h.send(T0, synAck);
    h.clear();
    return h;
  }

  /**
   * Passive open: the peer's {@code syn} at {@code synAt}, our SYN-ACK, then the peer's {@code ack}
   * at {@code ackAt}; everything recorded so far is forgotten.
   */
  static TcbHarness acceptedWith(
      TcpConfig config, long synAt, SegmentBuilder syn, long ackAt, SegmentBuilder ack) {
    TcbHarness h = listen(config);
    h.send(synAt, syn);
    h.send(ackAt, ack);
    h.clear();
    return h;
  }

  /**
   * Our TSval at {@code at(millis)} for a block whose timestamp offset is 0, as the fixtures' are:
   * the network clock in milliseconds (RFC 7323 §5.4).
   */
  static int tsValAt(long millis) {
    return (int) (T0 / MS + millis);
  }

  /** ESTABLISHED, then the user shut down writing: our FIN (at LOCAL_SEQ) is out. */
  static TcbHarness finWait1() {
    TcbHarness h = established();
    h.tcb.shutdownWrite(h.now);
    h.clear();
    return h;
  }

  /** FIN_WAIT_1, and the peer acknowledged our FIN. */
  static TcbHarness finWait2() {
    TcbHarness h = finWait1();
    h.send(h.now, seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1));
    h.clear();
    return h;
  }

  /** ESTABLISHED, then the peer's FIN (at REMOTE_SEQ) arrived and was acknowledged. */
  static TcbHarness closeWait() {
    TcbHarness h = established();
    h.send(h.now, seg().flags(TcpSegment.FIN | TcpSegment.ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    h.clear();
    return h;
  }

  /** CLOSE_WAIT, then the user shut down writing: our FIN is out. */
  static TcbHarness lastAck() {
    TcbHarness h = closeWait();
    h.tcb.shutdownWrite(h.now);
    h.clear();
    return h;
  }

  /** FIN_WAIT_1, then the peer's FIN crossed ours (not acknowledging it): simultaneous close. */
  static TcbHarness closing() {
    TcbHarness h = finWait1();
    h.send(h.now, seg().flags(TcpSegment.FIN | TcpSegment.ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    h.clear();
    return h;
  }

  /** FIN_WAIT_2, then the peer's FIN arrived. */
  static TcbHarness timeWait() {
    TcbHarness h = finWait2();
    h.send(h.now, seg().flags(TcpSegment.FIN | TcpSegment.ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1));
    h.clear();
    return h;
  }

  // ------------------------------------------------------------------ driving

  /** Forgets everything recorded so far. */
  TcbHarness clear() {
    segments.clear();
    events.clear();
    return this;
  }

  /** Feeds a segment from the peer at time {@code at}. */
  void send(long at, SegmentBuilder segment) {
    now = at;
    tcb.segmentArrived(segment.build(), at);
  }

  /** Feeds a segment from the peer now. */
  void send(SegmentBuilder segment) {
    send(now, segment);
  }

  /**
   * Feeds several segments from the peer that arrived together at {@code at}: one input, as receive
   * offload delivers a burst ({@link Tcb#segmentsArrived}).
   */
  void sendTogether(long at, SegmentBuilder... burst) {
    now = at;
    List<TcpSegment> built = new ArrayList<>(burst.length);
    for (SegmentBuilder segment : burst) {
      built.add(segment.build());
    }
    tcb.segmentsArrived(built, at);
  }

  /** User SEND now; returns the bytes taken. */
  int write(String text) {
    return tcb.send(ByteString.fromString(text, StandardCharsets.ISO_8859_1), false, now);
  }

  int write(ByteString data, boolean nodelay) {
    return tcb.send(data, nodelay, now);
  }

  /**
   * Moves time forward to {@code until}, firing every timer at its exact deadline on the way (so a
   * chain of retransmissions happens at 1 s, 3 s, 7 s, ... as it would).
   */
  void tick(long until) {
    while (tcb.nextDeadline() <= until) {
      now = Math.max(now, tcb.nextDeadline());
      tcb.timerFired(now);
    }
    now = Math.max(now, until);
  }

  // ------------------------------------------------------------------ expectations

  /** The next segment out must equal {@code expected} in every field. */
  TcpSegment expectSegment(SegmentBuilder expected) {
    TcpSegment want = expected.build();
    TcpSegment got = segments.pollFirst();
    if (got == null) {
      fail("expected " + want + " but nothing was sent");
    }
    assertEquals(want, got, "segment");
    return got;
  }

  /** The next segment out, whatever it is (for tests that check only some fields). */
  TcpSegment nextSegment() {
    TcpSegment got = segments.pollFirst();
    if (got == null) {
      fail("expected a segment but nothing was sent");
    }
    return got;
  }

  /** Every segment sent and not yet examined, oldest first; the record is then empty. */
  List<TcpSegment> drain() {
    List<TcpSegment> all = new ArrayList<>(segments);
    segments.clear();
    return all;
  }

  void expectNothing() {
    assertTrue(segments.isEmpty(), () -> "expected no segment but got " + segments);
  }

  /** The next event of type {@code type}, skipping state changes; fails if none. */
  <E extends TcbEvent> E expectEvent(Class<E> type) {
    while (!events.isEmpty()) {
      TcbEvent e = events.pollFirst();
      if (type.isInstance(e)) {
        return type.cast(e);
      }
      if (!(e instanceof TcbEvent.StateChanged)) {
        fail("expected " + type.getSimpleName() + " but got " + e + "; then " + events);
      }
    }
    return fail("expected " + type.getSimpleName() + " but no event came");
  }

  /** The next event that is not a state change must equal {@code expected}. */
  void expectEvent(TcbEvent expected) {
    assertEquals(expected, expectEvent(expected.getClass()));
  }

  /** No event other than state changes is pending. */
  void expectNoEvent() {
    List<TcbEvent> others = new ArrayList<>();
    for (TcbEvent e : events) {
      if (!(e instanceof TcbEvent.StateChanged)) {
        others.add(e);
      }
    }
    assertTrue(others.isEmpty(), () -> "expected no event but got " + others);
  }

  void expectState(TcpState state) {
    assertEquals(state, tcb.state());
  }

  // ------------------------------------------------------------------ segments

  /**
   * A segment from the peer to us, or (for expectations) from us to the peer with {@link
   * SegmentBuilder#out()} — default flags ACK, window {@link #WINDOW}, no options.
   */
  static SegmentBuilder seg() {
    return new SegmentBuilder(true);
  }

  /** A segment we send: ports reversed. Defaults as {@link #seg()}. */
  static SegmentBuilder out() {
    return new SegmentBuilder(false);
  }

  /** Fluent description of one segment. */
  static final class SegmentBuilder {
    private final boolean fromPeer;
    private int seq;
    private int ack;
    private int flags = TcpSegment.ACK;
    private int window = WINDOW;
    private TcpOptions options = TcpOptions.NONE;
    private ByteString payload = ByteString.emptyByteString();

    SegmentBuilder(boolean fromPeer) {
      this.fromPeer = fromPeer;
    }

    SegmentBuilder seq(int value) {
      seq = value;
      return this;
    }

    SegmentBuilder ack(int value) {
      ack = value;
      return this;
    }

    /** Replaces the flags (default ACK). */
    SegmentBuilder flags(int value) {
      flags = value;
      return this;
    }

    SegmentBuilder window(int value) {
      window = value;
      return this;
    }

    SegmentBuilder mss(int value) {
      options = options.withMss(value);
      return this;
    }

    SegmentBuilder windowScale(int shift) {
      options = options.withWindowScale(shift);
      return this;
    }

    SegmentBuilder options(TcpOptions value) {
      options = value;
      return this;
    }

    /** Adds the timestamps option (RFC 7323 §3.2). */
    SegmentBuilder ts(int value, int echoReply) {
      options = options.withTimestamps(new Timestamps(value, echoReply));
      return this;
    }

    /** Adds SACK-permitted (RFC 2018 §2). */
    SegmentBuilder sackOk() {
      options = options.withSackPermitted();
      return this;
    }

    /** Adds a SACK option with {@code blocks}, given as left, right pairs (RFC 2018 §3). */
    SegmentBuilder sack(int... edges) {
      List<SackBlock> blocks = new ArrayList<>();
      for (int i = 0; i < edges.length; i += 2) {
        blocks.add(new SackBlock(edges[i], edges[i + 1]));
      }
      options = options.withSackBlocks(blocks);
      return this;
    }

    SegmentBuilder payload(String text) {
      payload = ByteString.fromString(text, StandardCharsets.ISO_8859_1);
      return this;
    }

    SegmentBuilder payload(ByteString bytes) {
      payload = bytes;
      return this;
    }

    /** {@code n} bytes of a repeating pattern ('a'..'z'). */
    SegmentBuilder payloadOfLength(int n) {
      payload = pattern(0, n);
      return this;
    }

    TcpSegment build() {
      int src = fromPeer ? REMOTE_PORT : LOCAL_PORT;
      int dst = fromPeer ? LOCAL_PORT : REMOTE_PORT;
      return new TcpSegment(
          src,
          dst,
          seq,
          (flags & TcpSegment.ACK) != 0 ? ack : 0,
          flags,
          window,
          0,
          options,
          payload);
    }
  }

  /** Bytes {@code [offset, offset+n)} of the infinite 'a'..'z' pattern. */
  static ByteString pattern(int offset, int n) {
    byte[] bytes = new byte[n];
    for (int i = 0; i < n; i++) {
      bytes[i] = (byte) ('a' + (offset + i) % 26);
    }
    return ByteString.fromArrayUnsafe(bytes);
  }
}
