package dev.vnetif.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.tcp.TcbTimers.Kind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link TcbTimers} on its own: one deadline per kind, the earliest one, and when one is due. */
class TcbTimersTest {
  private final TcbTimers timers = new TcbTimers();

  @Test
  @DisplayName("a fresh set has every kind off and no next deadline")
  void startsAllOff() {
    for (Kind kind : Kind.values()) {
      assertFalse(timers.isArmed(kind), kind.name());
      assertEquals(TcbTimers.OFF, timers.deadline(kind), kind.name());
      assertFalse(timers.due(kind, Long.MAX_VALUE - 1), kind + " off is never due");
    }
    assertEquals(TcbTimers.OFF, timers.next());
  }

  @Test
  @DisplayName(
      "next() is the earliest armed deadline, whatever the kind; cancelling it reveals the next one")
  void nextIsEarliest() {
    timers.arm(Kind.KEEPALIVE, 7_200);
    timers.arm(Kind.RETRANSMIT, 1_000);
    timers.arm(Kind.DELAYED_ACK, 40);
    assertEquals(40, timers.next());
    timers.cancel(Kind.DELAYED_ACK);
    assertEquals(1_000, timers.next());
    assertFalse(timers.isArmed(Kind.DELAYED_ACK));
    assertTrue(timers.isArmed(Kind.RETRANSMIT));
    timers.cancel(Kind.RETRANSMIT);
    assertEquals(7_200, timers.next());
  }

  @Test
  @DisplayName(
      "arming an armed kind replaces its deadline, later or earlier (RFC 6298 §5.3 restarts the timer)")
  void rearmReplaces() {
    timers.arm(Kind.RETRANSMIT, 1_000);
    timers.arm(Kind.RETRANSMIT, 3_000);
    assertEquals(3_000, timers.deadline(Kind.RETRANSMIT));
    assertEquals(3_000, timers.next());
    timers.arm(Kind.RETRANSMIT, 500);
    assertEquals(500, timers.next());
  }

  @Test
  @DisplayName(
      "a timer is due at its deadline exactly and after it, not 1 ns before; other kinds are not due with it")
  void dueAtDeadline() {
    timers.arm(Kind.PERSIST, 5_000);
    timers.arm(Kind.TIME_WAIT, 9_000);
    assertFalse(timers.due(Kind.PERSIST, 4_999));
    assertTrue(timers.due(Kind.PERSIST, 5_000));
    assertTrue(timers.due(Kind.PERSIST, 5_001));
    assertFalse(timers.due(Kind.TIME_WAIT, 5_000));
    assertFalse(timers.due(Kind.KEEPALIVE, 5_000));
  }

  @Test
  @DisplayName("deadlines may be negative (a nanosecond clock may start below zero)")
  void negativeTimes() {
    timers.arm(Kind.DELAYED_ACK, -1_000);
    assertEquals(-1_000, timers.next());
    assertFalse(timers.due(Kind.DELAYED_ACK, -1_001));
    assertTrue(timers.due(Kind.DELAYED_ACK, -1_000));
  }

  @Test
  @DisplayName("cancelAll turns every kind off (entering TIME_WAIT or CLOSED)")
  void cancelAll() {
    for (Kind kind : Kind.values()) {
      timers.arm(kind, 100 + kind.ordinal());
    }
    timers.cancelAll();
    for (Kind kind : Kind.values()) {
      assertFalse(timers.isArmed(kind), kind.name());
    }
    assertEquals(TcbTimers.OFF, timers.next());
  }
}
