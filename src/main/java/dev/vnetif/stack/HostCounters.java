package dev.vnetif.stack;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A host's traffic and drop counters, readable from any thread at any time, which is what lets
 * {@code Stack.stats()} return without a message. The traffic counters have one writer, the host's
 * {@link StackActor}, so a release store of get+1 is enough and costs no locked instruction on the
 * per-frame path; drops are also counted by the host's listeners (their own actors), so {@link
 * #drop} adds atomically.
 */
public final class HostCounters {
  private static final int RX_FRAMES = 0;
  private static final int RX_BYTES = 1;
  private static final int TX_FRAMES = 2;
  private static final int TX_BYTES = 3;
  private static final int RX_PACKETS = 4;
  private static final int TX_PACKETS = 5;
  private static final int ICMP_ERRORS_RECEIVED = 6;
  private static final int OPEN_FLOWS = 7;
  private static final int LISTENERS = 8;
  private static final int TIME_WAIT = 9;
  private static final int TIME_WAIT_REOPENED = 10;
  private static final int SYN_COOKIES_SENT = 11;
  private static final int SYN_COOKIES_VALIDATED = 12;
  private static final int FIXED = 13;
  private static final DropReason[] REASONS = DropReason.values();

  private final AtomicLongArray values = new AtomicLongArray(FIXED + REASONS.length);

  private void add(int index, long delta) {
    values.lazySet(index, values.get(index) + delta);
  }

  void frameReceived(int bytes) {
    add(RX_FRAMES, 1);
    add(RX_BYTES, bytes);
  }

  void frameSent(int bytes) {
    add(TX_FRAMES, 1);
    add(TX_BYTES, bytes);
  }

  void packetReceived() {
    add(RX_PACKETS, 1);
  }

  void packetSent() {
    add(TX_PACKETS, 1);
  }

  void icmpErrorReceived() {
    add(ICMP_ERRORS_RECEIVED, 1);
  }

  void tcpTables(int flows, int listeners) {
    values.lazySet(OPEN_FLOWS, flows);
    values.lazySet(LISTENERS, listeners);
  }

  void timeWait(int entries, long reopened) {
    values.lazySet(TIME_WAIT, entries);
    values.lazySet(TIME_WAIT_REOPENED, reopened);
  }

  /** By a listener (its own actor): a SYN answered with a SYN cookie (RFC 4987 §3.6). */
  void synCookieSent() {
    values.getAndIncrement(SYN_COOKIES_SENT);
  }

  /** By a listener: an ACK whose SYN cookie validated opened a connection. */
  void synCookieValidated() {
    values.getAndIncrement(SYN_COOKIES_VALIDATED);
  }

  void drop(DropReason reason) {
    values.getAndIncrement(FIXED + reason.ordinal());
  }

  public long rxFrames() {
    return values.get(RX_FRAMES);
  }

  public long rxBytes() {
    return values.get(RX_BYTES);
  }

  public long txFrames() {
    return values.get(TX_FRAMES);
  }

  public long txBytes() {
    return values.get(TX_BYTES);
  }

  /** IPv4 datagrams accepted for this host. */
  public long rxPackets() {
    return values.get(RX_PACKETS);
  }

  /** IPv4 datagrams this host put on the wire. */
  public long txPackets() {
    return values.get(TX_PACKETS);
  }

  public long icmpErrorsReceived() {
    return values.get(ICMP_ERRORS_RECEIVED);
  }

  /** Connections in the host's demultiplexing table (not yet closed). */
  public long openFlows() {
    return values.get(OPEN_FLOWS);
  }

  /** Listening ports. */
  public long listeners() {
    return values.get(LISTENERS);
  }

  /** Connections in TIME_WAIT: compact entries in the host's table, not flows. */
  public long timeWaitEntries() {
    return values.get(TIME_WAIT);
  }

  /** SYNs that opened a new connection on a 4-tuple in TIME_WAIT (RFC 6191), ever. */
  public long timeWaitReopened() {
    return values.get(TIME_WAIT_REOPENED);
  }

  /** SYNs answered with a SYN cookie because their listener's backlog was full, ever. */
  public long synCookiesSent() {
    return values.get(SYN_COOKIES_SENT);
  }

  /**
   * ACKs whose SYN cookie validated and opened a connection, ever; those that did not are drops
   * ({@link DropReason#TCP_SYN_COOKIE_INVALID}).
   */
  public long synCookiesValidated() {
    return values.get(SYN_COOKIES_VALIDATED);
  }

  public long drops(DropReason reason) {
    return values.get(FIXED + reason.ordinal());
  }

  /** Non-zero drop counters, by reason. */
  public Map<DropReason, Long> drops() {
    Map<DropReason, Long> map = new EnumMap<>(DropReason.class);
    for (DropReason reason : REASONS) {
      long n = drops(reason);
      if (n != 0) {
        map.put(reason, n);
      }
    }
    return map;
  }
}
