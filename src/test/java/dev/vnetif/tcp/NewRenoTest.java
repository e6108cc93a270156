package dev.vnetif.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class NewRenoTest {

  private static final int SMSS = 1460;
  private static final int IW = 14_600; // RFC 6928 for SMSS 1460
  private static final long NOW = 0;

  private static NewReno fresh() {
    return new NewReno(SMSS, IW);
  }

  /** ssthresh 14600 (flight 29200), cwnd 14600 + 3 * 1460 = 18980. */
  private static NewReno inFastRecovery() {
    NewReno cc = fresh();
    cc.onFastRetransmit(20 * SMSS, NOW);
    return cc;
  }

  @Test
  @DisplayName("RFC 5681 §3.1: cwnd starts at IW and ssthresh arbitrarily high")
  void startsAtInitialWindow() {
    NewReno cc = fresh();
    assertEquals(IW, cc.cwnd());
    assertEquals(Integer.MAX_VALUE, cc.ssthresh());
    assertEquals("newreno", cc.name());
  }

  @Test
  @DisplayName("RFC 5681 §3.1 eq. 2: slow start adds one SMSS per ACK of one SMSS")
  void slowStartGrowsBySmssPerAck() {
    NewReno cc = fresh();
    for (int n = 1; n <= 10; n++) {
      cc.onAck(SMSS, NOW);
      assertEquals(IW + n * SMSS, cc.cwnd(), "after " + n + " ACKs");
    }
  }

  @Test
  @DisplayName("RFC 5681 §3.1 eq. 2: slow start adds min(N, SMSS), N the bytes acknowledged")
  void slowStartAddsAtMostSmss() {
    NewReno cc = fresh();
    cc.onAck(3 * SMSS, NOW);
    assertEquals(IW + SMSS, cc.cwnd());
    cc.onAck(500, NOW);
    assertEquals(IW + SMSS + 500, cc.cwnd());
  }

  @Test
  @DisplayName("RFC 5681 §3.1: slow start crosses ssthresh, then congestion avoidance takes over")
  void slowStartCrossesIntoCongestionAvoidance() {
    NewReno cc = fresh();
    cc.onRetransmissionTimeout(20_000, NOW); // ssthresh 10000, cwnd 1460
    assertEquals(10_000, cc.ssthresh());
    int[] slowStart = {2920, 4380, 5840, 7300, 8760, 10_220};
    for (int expected : slowStart) {
      cc.onAck(SMSS, NOW);
      assertEquals(expected, cc.cwnd());
    }
    // cwnd 10220 >= ssthresh: eq. 3, 1460 * 1460 / 10220 = 2131600 / 10220 = 208 (integer division)
    cc.onAck(SMSS, NOW);
    assertEquals(10_428, cc.cwnd());
    // 2131600 / 10428 = 204
    cc.onAck(SMSS, NOW);
    assertEquals(10_632, cc.cwnd());
    // 2131600 / 10632 = 200
    cc.onAck(SMSS, NOW);
    assertEquals(10_832, cc.cwnd());
  }

  @Test
  @DisplayName("RFC 5681 §3.1 eq. 3: congestion avoidance starts when cwnd equals ssthresh")
  void congestionAvoidanceAtEqualSsthresh() {
    NewReno cc = inFastRecovery();
    cc.onRecoveryExit(20 * SMSS); // cwnd = ssthresh = 14600
    assertEquals(14_600, cc.cwnd());
    cc.onAck(SMSS, NOW); // 2131600 / 14600 = 146
    assertEquals(14_746, cc.cwnd());
    cc.onAck(SMSS, NOW); // 2131600 / 14746 = 144
    assertEquals(14_890, cc.cwnd());
  }

  @Test
  @DisplayName("RFC 5681 §3.1 eq. 3: congestion avoidance adds at least one byte per ACK")
  void congestionAvoidanceAddsAtLeastOneByte() {
    NewReno cc = new NewReno(536, InitialWindow.bytes(536));
    cc.onRetransmissionTimeout(700_000, NOW); // ssthresh 350000
    while (cc.cwnd() < cc.ssthresh()) {
      cc.onAck(536, NOW);
    }
    int cwnd = cc.cwnd(); // > 536 * 536 = 287296, so eq. 3 yields 0
    cc.onAck(536, NOW);
    assertEquals(cwnd + 1, cc.cwnd());
  }

  @Test
  @DisplayName("cwnd never grows beyond MAX_CWND")
  void cwndIsCapped() {
    NewReno cc = new NewReno(65_535, 2 * 65_535);
    for (int i = 0; i < 20_000; i++) {
      cc.onAck(65_535, NOW);
    }
    assertEquals(NewReno.MAX_CWND, cc.cwnd());
    for (int i = 0; i < 10; i++) {
      cc.onDuplicateAckInRecovery();
    }
    assertEquals(NewReno.MAX_CWND, cc.cwnd());
  }

  @Test
  @DisplayName(
      "RFC 5681 §3.2 steps 2-3: third dup ACK sets ssthresh = max(FlightSize/2, 2*SMSS), cwnd = ssthresh + 3*SMSS")
  void fastRetransmit() {
    NewReno cc = fresh();
    cc.onFastRetransmit(29_200, NOW);
    assertEquals(14_600, cc.ssthresh());
    assertEquals(14_600 + 3 * SMSS, cc.cwnd());
    assertEquals(18_980, cc.cwnd());
  }

  @Test
  @DisplayName("RFC 5681 §3.2 step 2: fast retransmit floors ssthresh at 2*SMSS for a small flight")
  void fastRetransmitSsthreshFloor() {
    NewReno cc = fresh();
    cc.onFastRetransmit(2_000, NOW);
    assertEquals(2_920, cc.ssthresh());
    assertEquals(7_300, cc.cwnd());
  }

  @Test
  @DisplayName("RFC 5681 §3.2 step 4: each further dup ACK in recovery inflates cwnd by SMSS")
  void duplicateAckInflates() {
    NewReno cc = inFastRecovery();
    cc.onDuplicateAckInRecovery();
    assertEquals(20_440, cc.cwnd());
    cc.onDuplicateAckInRecovery();
    assertEquals(21_900, cc.cwnd());
    assertEquals(14_600, cc.ssthresh());
  }

  @Test
  @DisplayName(
      "RFC 6582 §3.2 step 5: a partial ACK of less than SMSS deflates cwnd by the bytes acked")
  void partialAckBelowSmss() {
    NewReno cc = inFastRecovery();
    cc.onDuplicateAckInRecovery();
    cc.onDuplicateAckInRecovery(); // 21900
    cc.onPartialAck(1_000);
    assertEquals(20_900, cc.cwnd());
  }

  @Test
  @DisplayName(
      "RFC 6582 §3.2 step 5: a partial ACK of at least SMSS deflates by the bytes acked, then adds SMSS")
  void partialAckOfAtLeastSmss() {
    NewReno cc = inFastRecovery();
    cc.onDuplicateAckInRecovery();
    cc.onDuplicateAckInRecovery(); // 21900
    cc.onPartialAck(2 * SMSS);
    assertEquals(21_900 - 2_920 + 1_460, cc.cwnd());
    cc.onPartialAck(SMSS); // exactly SMSS: deflate 1460, add back 1460
    assertEquals(20_440, cc.cwnd());
    assertEquals(14_600, cc.ssthresh());
  }

  @Test
  @DisplayName("RFC 6582 §3.2 step 5: deflation never leaves less than one SMSS")
  void partialAckKeepsOneSegment() {
    NewReno cc = inFastRecovery(); // 18980, with 29200 bytes in flight
    cc.onPartialAck(20_000); // 18980 - 20000 + 1460 = 440 < SMSS
    assertEquals(SMSS, cc.cwnd());
  }

  @Test
  @DisplayName(
      "RFC 6582 §3.2 step 4: full ACK with little in flight sets cwnd = max(FlightSize, SMSS) + SMSS")
  void recoveryExitWithSmallFlight() {
    NewReno cc = inFastRecovery();
    cc.onRecoveryExit(0);
    assertEquals(2_920, cc.cwnd()); // min(14600, max(0, 1460) + 1460)
    NewReno other = inFastRecovery();
    other.onRecoveryExit(5_000);
    assertEquals(6_460, other.cwnd()); // min(14600, 5000 + 1460)
  }

  @Test
  @DisplayName("RFC 6582 §3.2 step 4: full ACK with much in flight sets cwnd = ssthresh")
  void recoveryExitWithLargeFlight() {
    NewReno cc = inFastRecovery();
    cc.onDuplicateAckInRecovery();
    cc.onRecoveryExit(20_000);
    assertEquals(14_600, cc.cwnd()); // min(14600, 20000 + 1460)
    assertEquals(14_600, cc.ssthresh());
  }

  @Test
  @DisplayName("RFC 5681 §3.1 eq. 4: a timeout sets ssthresh = FlightSize/2 and cwnd = 1 SMSS")
  void retransmissionTimeout() {
    NewReno cc = fresh();
    cc.onAck(SMSS, NOW);
    cc.onRetransmissionTimeout(29_200, NOW);
    assertEquals(14_600, cc.ssthresh());
    assertEquals(SMSS, cc.cwnd());
  }

  @Test
  @DisplayName(
      "RFC 5681 §3.1 eq. 4 (ssthresh no more than FlightSize/2): a timeout during fast recovery, when FlightSize has grown past the flight the loss happened at, keeps recovery's lower ssthresh")
  void timeoutDuringRecoveryNeverRaisesSsthresh() {
    NewReno cc = inFastRecovery(); // ssthresh 14600 from a flight of 20 segments
    cc.onRetransmissionTimeout(40 * SMSS, NOW); // 40 segments outstanding, SACKed ones included
    assertEquals(14_600, cc.ssthresh()); // not 29200
    assertEquals(SMSS, cc.cwnd());
  }

  @Test
  @DisplayName(
      "RFC 5681 §3.1 eq. 4: a timeout during fast recovery with a smaller FlightSize lowers ssthresh to its half")
  void timeoutDuringRecoveryLowersSsthresh() {
    NewReno cc = inFastRecovery();
    cc.onRetransmissionTimeout(10 * SMSS, NOW);
    assertEquals(7_300, cc.ssthresh());
  }

  @Test
  @DisplayName(
      "RFC 5681 §3.1 eq. 4: after recovery ended, a timeout takes FlightSize/2 afresh, higher or not")
  void timeoutAfterRecoveryTakesFlightSizeAfresh() {
    NewReno cc = inFastRecovery();
    cc.onRecoveryExit(20 * SMSS);
    cc.onRetransmissionTimeout(40 * SMSS, NOW);
    assertEquals(29_200, cc.ssthresh());
    // and a timeout ends the recovery as well: the next one is eq. 4 afresh too
    NewReno other = inFastRecovery();
    other.onRetransmissionTimeout(20 * SMSS, NOW);
    other.onRetransmissionTimeout(40 * SMSS, NOW);
    assertEquals(29_200, other.ssthresh());
  }

  @Test
  @DisplayName("RFC 5681 §3.1 eq. 4: a timeout floors ssthresh at 2*SMSS for a tiny flight")
  void retransmissionTimeoutSsthreshFloor() {
    NewReno cc = fresh();
    cc.onRetransmissionTimeout(1_000, NOW);
    assertEquals(2_920, cc.ssthresh());
    assertEquals(SMSS, cc.cwnd());
  }

  @Test
  @DisplayName("RFC 5681 §4.1: after idle, cwnd = min(cwnd, IW)")
  void idleRestartShrinksToInitialWindow() {
    NewReno cc = fresh();
    for (int i = 0; i < 5; i++) {
      cc.onAck(SMSS, NOW);
    }
    assertEquals(21_900, cc.cwnd());
    cc.onIdleRestart(2_000_000_000L, NOW);
    assertEquals(IW, cc.cwnd());
  }

  @Test
  @DisplayName("RFC 5681 §4.1: after idle, a cwnd already below IW stays")
  void idleRestartKeepsSmallerWindow() {
    NewReno cc = fresh();
    cc.onRetransmissionTimeout(29_200, NOW);
    cc.onIdleRestart(2_000_000_000L, NOW);
    assertEquals(SMSS, cc.cwnd());
    assertEquals(14_600, cc.ssthresh());
  }

  @Test
  void rejectsBadArguments() {
    assertThrows(IllegalArgumentException.class, () -> new NewReno(0, IW));
    assertThrows(IllegalArgumentException.class, () -> new NewReno(SMSS, 0));
    NewReno cc = fresh();
    assertThrows(IllegalArgumentException.class, () -> cc.onAck(0, NOW));
    assertThrows(IllegalArgumentException.class, () -> cc.onPartialAck(-1));
    assertThrows(IllegalArgumentException.class, () -> cc.onFastRetransmit(-1, NOW));
    assertThrows(IllegalArgumentException.class, () -> cc.onRecoveryExit(-1));
    assertThrows(IllegalArgumentException.class, () -> cc.onRetransmissionTimeout(-1, NOW));
    assertEquals(IW, cc.cwnd());
  }
}
