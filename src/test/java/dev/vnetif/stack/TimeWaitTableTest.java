package dev.vnetif.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.tcp.TimeWait;
import dev.vnetif.tcp.TimeWait.Verdict;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.TcpSegment;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A host's TIME_WAIT table: entries, their 2·MSL deadlines, one queue for all. */
class TimeWaitTableTest {
  private static final long MS = 1_000_000L;
  private static final long TWO_MSL = 60_000 * MS;
  private static final Ipv4Address PEER = Ipv4Address.of("10.0.0.2");
  private static final int SND_NXT = 5_001;
  private static final int RCV_NXT = 10_001;

  private static FlowKey key(int port) {
    return new FlowKey(PEER, port, 80);
  }

  private static TimeWait entry() {
    return new TimeWait(SND_NXT, RCV_NXT, 65_535, 0, 65_535);
  }

  private static TcpSegment from(int port, int seq, int ack, int flags) {
    return TcpSegment.of(port, 80, seq, ack, flags, 1000);
  }

  @Test
  @DisplayName(
      "an entry lives exactly 2·MSL from when it entered; entries expire in order; nextDeadline follows the head")
  void expiresAfterTwoMsl() {
    TimeWaitTable table = new TimeWaitTable(TWO_MSL, 10);
    table.enter(key(1), entry(), 0);
    table.enter(key(2), entry(), 10 * MS);
    assertEquals(2, table.size());
    assertEquals(TWO_MSL, table.nextDeadline());
    assertEquals(0, table.expire(TWO_MSL - 1));
    assertEquals(1, table.expire(TWO_MSL));
    assertFalse(table.contains(key(1)));
    assertTrue(table.contains(key(2)));
    assertEquals(TWO_MSL + 10 * MS, table.nextDeadline());
    assertEquals(1, table.expire(TWO_MSL + 10 * MS));
    assertEquals(0, table.size());
    assertEquals(TimeWaitTable.OFF, table.nextDeadline());
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4: a retransmitted FIN restarts 2·MSL — the entry outlives its first deadline, and the stale place in the queue is skipped")
  void finRestartsTheWait() {
    TimeWaitTable table = new TimeWaitTable(TWO_MSL, 10);
    table.enter(key(1), entry(), 0);
    table.enter(key(2), entry(), 1 * MS);
    TcpSegment fin = from(1, RCV_NXT - 1, SND_NXT, TcpSegment.FIN | TcpSegment.ACK);
    assertEquals(Verdict.ACK_AND_RESTART, table.arrive(key(1), fin, 30_000 * MS));
    assertEquals(
        TcpSegment.of(80, 1, SND_NXT, RCV_NXT, TcpSegment.ACK, 65_535), table.ack(key(1), fin, 0));
    assertEquals(1, table.expire(TWO_MSL + 1 * MS), "only key 2: key 1 was restarted");
    assertTrue(table.contains(key(1)));
    assertEquals(0, table.expire(30_000 * MS + TWO_MSL - 1));
    assertEquals(1, table.expire(30_000 * MS + TWO_MSL));
    assertEquals(0, table.size());
  }

  @Test
  @DisplayName(
      "a flood of FINs restarts the wait at most once per 2·MSL/64: the queue does not grow with every FIN")
  void finFloodIsCoalesced() {
    TimeWaitTable table = new TimeWaitTable(TWO_MSL, 10);
    table.enter(key(1), entry(), 0);
    TcpSegment fin = from(1, RCV_NXT - 1, SND_NXT, TcpSegment.FIN | TcpSegment.ACK);
    long granularity = TWO_MSL / 64;
    for (int i = 1; i <= 1_000; i++) {
      assertEquals(Verdict.ACK_AND_RESTART, table.arrive(key(1), fin, i * MS), "each is ACKed");
    }
    assertEquals(2, table.queued(), "one restart for 1,000 FINs within " + granularity + " ns");
    // The wait ends no earlier than 2·MSL − 2·MSL/64 after the last FIN.
    assertEquals(0, table.expire(1_000 * MS + TWO_MSL - granularity - 1));
    assertTrue(table.contains(key(1)));
    assertEquals(1, table.expire(1_000 * MS + TWO_MSL));
  }

  @Test
  @DisplayName(
      "RFC 6191: an acceptable SYN is reported, and reopen() ends the entry, counts it, and gives an ISS above the old SND.NXT")
  void acceptableSynReopens() {
    TimeWaitTable table = new TimeWaitTable(TWO_MSL, 10);
    table.enter(key(1), entry(), 0);
    TcpSegment syn = from(1, RCV_NXT + 1_000, 0, TcpSegment.SYN);
    assertEquals(Verdict.REOPEN, table.arrive(key(1), syn, MS));
    assertTrue(table.contains(key(1)), "REOPEN alone does not remove: a listener must take it");
    assertEquals(SND_NXT + 65_537, table.reopen(key(1)));
    assertFalse(table.contains(key(1)));
    assertEquals(1, table.reopened());
    assertEquals(0, table.expire(TWO_MSL), "its queued deadline is stale and skipped");
    // a second connection on the same 4-tuple enters TIME_WAIT again: its own deadline counts
    table.enter(key(1), entry(), TWO_MSL - MS);
    assertEquals(0, table.expire(TWO_MSL));
    assertEquals(1, table.expire(2 * TWO_MSL - MS));
  }

  @Test
  @DisplayName(
      "an old SYN (at or below RCV.NXT) is answered with an ACK and the entry stays; unknown 4-tuples are not ours")
  void unacceptableSynIsAcked() {
    TimeWaitTable table = new TimeWaitTable(TWO_MSL, 10);
    table.enter(key(1), entry(), 0);
    assertEquals(Verdict.ACK, table.arrive(key(1), from(1, RCV_NXT - 5, 0, TcpSegment.SYN), MS));
    assertTrue(table.contains(key(1)));
    assertNull(table.arrive(key(2), from(2, RCV_NXT + 5, 0, TcpSegment.SYN), MS));
  }

  @Test
  @DisplayName("a RST at RCV.NXT ends the entry at once (as the Tcb does in TIME_WAIT)")
  void resetEnds() {
    TimeWaitTable table = new TimeWaitTable(TWO_MSL, 10);
    table.enter(key(1), entry(), 0);
    assertEquals(Verdict.END, table.arrive(key(1), from(1, RCV_NXT, 0, TcpSegment.RST), MS));
    assertFalse(table.contains(key(1)));
    assertEquals(0, table.expire(TWO_MSL));
  }

  @Test
  @DisplayName(
      "RFC 5961 §7: challenge ACKs of all entries share one budget per second; past it they are ignored")
  void challengeAcksShareOneBudget() {
    TimeWaitTable table = new TimeWaitTable(TWO_MSL, 2);
    for (int port = 1; port <= 3; port++) {
      table.enter(key(port), entry(), 0);
    }
    TcpSegment inWindowRst = from(0, RCV_NXT + 7, 0, TcpSegment.RST);
    assertEquals(Verdict.CHALLENGE_ACK, table.arrive(key(1), inWindowRst, MS));
    assertEquals(Verdict.CHALLENGE_ACK, table.arrive(key(2), inWindowRst, 2 * MS));
    assertEquals(Verdict.IGNORE, table.arrive(key(3), inWindowRst, 3 * MS));
    assertEquals(Verdict.CHALLENGE_ACK, table.arrive(key(3), inWindowRst, 1_001 * MS));
  }

  @Test
  @DisplayName("after a burst expires, the deadline queue gives its memory back")
  void queueShrinksAfterBurst() {
    TimeWaitTable table = new TimeWaitTable(TWO_MSL, 10);
    for (int port = 1; port <= 10_000; port++) {
      table.enter(key(port), entry(), port);
    }
    assertTrue(table.queueCapacity() >= 10_000);
    assertEquals(10_000, table.expire(TWO_MSL + 10_000));
    assertEquals(16, table.queueCapacity());
  }

  @Test
  @DisplayName("clear() forgets every entry (Tcp.disconnect)")
  void clearForgetsAll() {
    TimeWaitTable table = new TimeWaitTable(TWO_MSL, 10);
    table.enter(key(1), entry(), 0);
    table.clear();
    assertEquals(0, table.size());
    assertEquals(TimeWaitTable.OFF, table.nextDeadline());
  }
}
