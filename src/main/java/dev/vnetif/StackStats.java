package dev.vnetif;

import dev.vnetif.stack.DropReason;
import dev.vnetif.stack.HostCounters;
import java.util.Map;

/**
 * A snapshot of one host's counters. Every frame a host receives is either handled or counted under
 * exactly one {@link DropReason}; outgoing datagrams that could not be sent (no route, ARP failure,
 * queue overflow, too big) are counted there too.
 *
 * @param rxFrames Ethernet frames delivered to the host
 * @param rxBytes their bytes
 * @param txFrames frames the host put on the wire
 * @param txBytes their bytes
 * @param rxPackets IPv4 datagrams accepted for the host
 * @param txPackets IPv4 datagrams sent
 * @param icmpErrorsReceived ICMP destination unreachable / time exceeded messages received
 * @param drops non-zero drop counters by reason
 * @param openFlows TCP connections in the host's table (removed when they close)
 * @param listeners listening TCP ports
 * @param timeWaitEntries TCP connections in TIME_WAIT, kept by the host as compact entries (not in
 *     {@code openFlows})
 * @param timeWaitReopened SYNs that opened a new connection on a 4-tuple in TIME_WAIT (RFC 6191)
 * @param synCookiesSent SYNs answered with a SYN cookie because their listener's backlog was full
 *     (RFC 4987 §3.6; {@code vnetif.tcp.syn-cookies}); with cookies off such SYNs are dropped
 *     ({@link DropReason#TCP_BACKLOG_FULL})
 * @param synCookiesValidated ACKs whose SYN cookie validated and opened a connection; those that
 *     did not are dropped ({@link DropReason#TCP_SYN_COOKIE_INVALID})
 */
public record StackStats(
    long rxFrames,
    long rxBytes,
    long txFrames,
    long txBytes,
    long rxPackets,
    long txPackets,
    long icmpErrorsReceived,
    Map<DropReason, Long> drops,
    long openFlows,
    long listeners,
    long timeWaitEntries,
    long timeWaitReopened,
    long synCookiesSent,
    long synCookiesValidated) {

  /** The counters as they were before SYN cookies were counted (kept for compatibility). */
  public StackStats(
      long rxFrames,
      long rxBytes,
      long txFrames,
      long txBytes,
      long rxPackets,
      long txPackets,
      long icmpErrorsReceived,
      Map<DropReason, Long> drops,
      long openFlows,
      long listeners,
      long timeWaitEntries,
      long timeWaitReopened) {
    this(
        rxFrames,
        rxBytes,
        txFrames,
        txBytes,
        rxPackets,
        txPackets,
        icmpErrorsReceived,
        drops,
        openFlows,
        listeners,
        timeWaitEntries,
        timeWaitReopened,
        0,
        0);
  }

  /** The counters as they were before TIME_WAIT entries were counted (kept for compatibility). */
  public StackStats(
      long rxFrames,
      long rxBytes,
      long txFrames,
      long txBytes,
      long rxPackets,
      long txPackets,
      long icmpErrorsReceived,
      Map<DropReason, Long> drops,
      long openFlows,
      long listeners) {
    this(
        rxFrames,
        rxBytes,
        txFrames,
        txBytes,
        rxPackets,
        txPackets,
        icmpErrorsReceived,
        drops,
        openFlows,
        listeners,
        0,
        0,
        0,
        0);
  }

  static StackStats of(HostCounters c) {
    return new StackStats(
        c.rxFrames(),
        c.rxBytes(),
        c.txFrames(),
        c.txBytes(),
        c.rxPackets(),
        c.txPackets(),
        c.icmpErrorsReceived(),
        Map.copyOf(c.drops()),
        c.openFlows(),
        c.listeners(),
        c.timeWaitEntries(),
        c.timeWaitReopened(),
        c.synCookiesSent(),
        c.synCookiesValidated());
  }

  /** The count for one reason (0 when none). */
  public long drops(DropReason reason) {
    return drops.getOrDefault(reason, 0L);
  }

  /** All drops together. */
  public long totalDrops() {
    long sum = 0;
    for (long n : drops.values()) {
      sum += n;
    }
    return sum;
  }
}
