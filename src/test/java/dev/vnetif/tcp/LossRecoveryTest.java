package dev.vnetif.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link LossRecovery} on its own: duplicate-ACK counting, the fast retransmit decision, the
 * NewReno "recover" point, and which {@link CongestionControl} call each event makes (a recording
 * fake stands in for the arithmetic, which {@link NewRenoTest} covers).
 */
class LossRecoveryTest {
  private static final int SMSS = 1000;
  private static final int ISS = 5_000;

  /** Ten segments sent after the SYN: SND.UNA = ISS + 1, SND.MAX = ISS + 1 + 10 000. */
  private static final int UNA = ISS + 1;

  private static final int MAX = UNA + 10 * SMSS;
  private static final long NOW = 0;

  /** Records every call, in order, as a short string. */
  private static final class RecordingCc implements CongestionControl {
    final List<String> calls = new ArrayList<>();

    @Override
    public int cwnd() {
      return 10 * SMSS;
    }

    @Override
    public int ssthresh() {
      return Integer.MAX_VALUE;
    }

    @Override
    public void onAck(int bytesAcked, long nowNanos) {
      calls.add("ack " + bytesAcked);
    }

    @Override
    public void onFastRetransmit(int flightSize, long nowNanos) {
      calls.add("fastRetransmit " + flightSize);
    }

    @Override
    public void onDuplicateAckInRecovery() {
      calls.add("inflate");
    }

    @Override
    public void onPartialAck(int bytesAcked) {
      calls.add("partial " + bytesAcked);
    }

    @Override
    public void onRecoveryExit(int flightSizeAfterAck) {
      calls.add("exit " + flightSizeAfterAck);
    }

    @Override
    public void onRetransmissionTimeout(int flightSize, long nowNanos) {
      calls.add("rto " + flightSize);
    }

    @Override
    public void onIdleRestart(long idleNanos, long nowNanos) {
      calls.add("idle");
    }

    @Override
    public String name() {
      return "recording";
    }
  }

  private final RecordingCc cc = new RecordingCc();
  private final LossRecovery recovery = new LossRecovery(cc, ISS);

  /** Three duplicates of an ACK at SND.UNA with ten segments in flight: fast recovery. */
  private void enterRecovery() {
    for (int i = 0; i < 3; i++) {
      recovery.onDuplicateAck(UNA, MAX, MAX - UNA, NOW);
    }
    cc.calls.clear();
  }

  // ------------------------------------------------------------------ fast retransmit

  @Test
  @DisplayName(
      "RFC 6582 §3.2 step 1: recover starts just below the first data octet (ISS − 1, so that step 2 lets the first segment be fast-retransmitted), no duplicates counted, not in recovery")
  void startsWithRecoverAtIss() {
    assertEquals(ISS - 1, recovery.recover);
    assertEquals(0, recovery.duplicateAcks);
    assertFalse(recovery.inRecovery);
    assertTrue(cc.calls.isEmpty());
  }

  @Test
  @DisplayName(
      "RFC 5681 §3.2 step 2: the first two duplicate ACKs do nothing; the third asks for a fast retransmit and enters recovery")
  void thirdDuplicateTriggersFastRetransmit() {
    assertFalse(recovery.onDuplicateAck(UNA, MAX, MAX - UNA, NOW));
    assertFalse(recovery.onDuplicateAck(UNA, MAX, MAX - UNA, NOW));
    assertTrue(cc.calls.isEmpty(), "no window change before the threshold");
    assertFalse(recovery.inRecovery);
    assertTrue(recovery.onDuplicateAck(UNA, MAX, MAX - UNA, NOW));
    assertTrue(recovery.inRecovery);
    assertEquals(List.of("fastRetransmit 10000"), cc.calls);
  }

  @Test
  @DisplayName(
      "RFC 6582 §3.2 step 2: entering fast recovery sets recover to the highest sequence number sent, SND.MAX − 1")
  void fastRetransmitSetsRecover() {
    enterRecovery();
    assertEquals(MAX - 1, recovery.recover);
  }

  @Test
  @DisplayName(
      "RFC 3042 §2: ssthresh is computed from FlightSize at the first duplicate, not inflated by limited-transmit segments")
  void flightSizeFromFirstDuplicate() {
    recovery.onDuplicateAck(UNA, MAX, 10 * SMSS, NOW);
    recovery.onDuplicateAck(UNA, MAX + SMSS, 11 * SMSS, NOW);
    recovery.onDuplicateAck(UNA, MAX + 2 * SMSS, 12 * SMSS, NOW);
    assertEquals(List.of("fastRetransmit 10000"), cc.calls);
  }

  @Test
  @DisplayName(
      "RFC 3042 §2 / RFC 5681 §3.2 step 1: limited transmit allows 1·SMSS after the first duplicate, 2·SMSS after the second, nothing in recovery")
  void limitedTransmitAllowance() {
    assertEquals(0, recovery.limitedTransmitAllowance(SMSS));
    recovery.onDuplicateAck(UNA, MAX, MAX - UNA, NOW);
    assertEquals(SMSS, recovery.limitedTransmitAllowance(SMSS));
    recovery.onDuplicateAck(UNA, MAX, MAX - UNA, NOW);
    assertEquals(2 * SMSS, recovery.limitedTransmitAllowance(SMSS));
    recovery.onDuplicateAck(UNA, MAX, MAX - UNA, NOW);
    assertEquals(0, recovery.limitedTransmitAllowance(SMSS));
  }

  @Test
  @DisplayName(
      "RFC 5681 §3.2 step 4: each further duplicate in recovery inflates the window and asks for no second retransmit")
  void furtherDuplicatesInflate() {
    enterRecovery();
    for (int i = 0; i < 5; i++) {
      assertFalse(recovery.onDuplicateAck(UNA, MAX, MAX - UNA, NOW));
    }
    assertEquals(List.of("inflate", "inflate", "inflate", "inflate", "inflate"), cc.calls);
  }

  @Test
  @DisplayName(
      "RFC 5681 §3.2: a new ACK outside recovery grows the window and resets the duplicate count, so three fresh duplicates are needed")
  void newAckResetsDuplicateCount() {
    recovery.onDuplicateAck(UNA, MAX, MAX - UNA, NOW);
    recovery.onDuplicateAck(UNA, MAX, MAX - UNA, NOW);
    assertEquals(
        LossRecovery.AckKind.NORMAL, recovery.onNewAck(UNA + SMSS, SMSS, MAX - UNA - SMSS, NOW));
    assertEquals(List.of("ack 1000"), cc.calls);
    assertEquals(0, recovery.duplicateAcks);
    assertFalse(recovery.onDuplicateAck(UNA + SMSS, MAX, MAX - UNA - SMSS, NOW));
    assertFalse(recovery.onDuplicateAck(UNA + SMSS, MAX, MAX - UNA - SMSS, NOW));
    assertTrue(recovery.onDuplicateAck(UNA + SMSS, MAX, MAX - UNA - SMSS, NOW));
  }

  // ------------------------------------------------------------------ NewReno recovery

  @Test
  @DisplayName(
      "RFC 6582 §3.2 step 3: ACKs below recover are partial — the first reported as FIRST_PARTIAL, later ones PARTIAL — and deflate the window")
  void partialAcks() {
    enterRecovery();
    assertEquals(
        LossRecovery.AckKind.FIRST_PARTIAL,
        recovery.onNewAck(UNA + 2 * SMSS, 2 * SMSS, 8 * SMSS, NOW));
    assertEquals(
        LossRecovery.AckKind.PARTIAL, recovery.onNewAck(UNA + 3 * SMSS, SMSS, 7 * SMSS, NOW));
    assertTrue(recovery.inRecovery);
    assertEquals(List.of("partial 2000", "partial 1000"), cc.calls);
  }

  @Test
  @DisplayName(
      "RFC 6582 §3.2 step 3: an ACK covering recover is full: recovery ends with FlightSize after the ACK")
  void fullAckExitsRecovery() {
    enterRecovery();
    assertEquals(LossRecovery.AckKind.RECOVERY_EXIT, recovery.onNewAck(MAX, 10 * SMSS, 0, NOW));
    assertFalse(recovery.inRecovery);
    assertEquals(0, recovery.duplicateAcks);
    assertEquals(List.of("exit 0"), cc.calls);
    // Out of recovery, the next new ACK is an ordinary one again.
    assertEquals(LossRecovery.AckKind.NORMAL, recovery.onNewAck(MAX + SMSS, SMSS, 0, NOW));
  }

  @Test
  @DisplayName(
      "RFC 6582 §3.2: the partial/first-partial distinction starts afresh in each recovery")
  void firstPartialAgainInNextRecovery() {
    enterRecovery();
    recovery.onNewAck(UNA + SMSS, SMSS, 9 * SMSS, NOW);
    recovery.onNewAck(MAX, 9 * SMSS, 0, NOW); // exit
    recovery.onNewAck(MAX + SMSS, SMSS, 0, NOW); // beyond recover + 1: a new recovery may begin
    int una = MAX + SMSS;
    int max = MAX + 10 * SMSS;
    for (int i = 0; i < 3; i++) {
      recovery.onDuplicateAck(una, max, max - una, NOW);
    }
    assertEquals(
        LossRecovery.AckKind.FIRST_PARTIAL, recovery.onNewAck(una + SMSS, SMSS, 9 * SMSS, NOW));
  }

  @Test
  @DisplayName(
      "RFC 6582 §3.2 step 2: duplicates of an ACK that does not cover recover (here: after an RTO) start no fast retransmit")
  void noFastRetransmitBelowRecover() {
    recovery.onTimeout(MAX - UNA, true, MAX, NOW); // recover = MAX - 1
    cc.calls.clear();
    for (int i = 0; i < 5; i++) {
      assertFalse(recovery.onDuplicateAck(UNA + SMSS, MAX, MAX - UNA - SMSS, NOW));
    }
    assertFalse(recovery.inRecovery);
    assertTrue(cc.calls.isEmpty(), cc.calls.toString());
  }

  @Test
  @DisplayName(
      "RFC 6582 §3.2 step 2: the ACK must cover more than recover (ack − 1 > recover) — at recover + 1, the old SND.MAX, no fast retransmit; at recover + 2 one")
  void recoverBoundary() {
    LossRecovery atOldMax = new LossRecovery(cc, ISS);
    atOldMax.onTimeout(MAX - UNA, true, MAX, NOW); // recover = MAX - 1
    for (int i = 0; i < 3; i++) {
      assertFalse(atOldMax.onDuplicateAck(MAX, MAX + SMSS, SMSS, NOW));
    }
    LossRecovery past = new LossRecovery(cc, ISS);
    past.onTimeout(MAX - UNA, true, MAX, NOW);
    past.onDuplicateAck(MAX + 1, MAX + SMSS, SMSS - 1, NOW);
    past.onDuplicateAck(MAX + 1, MAX + SMSS, SMSS - 1, NOW);
    assertTrue(past.onDuplicateAck(MAX + 1, MAX + SMSS, SMSS - 1, NOW));
  }

  @Test
  @DisplayName(
      "RFC 6675 §5.1: with SACK a new recovery may begin once HighACK (ack − 1) reaches RecoveryPoint — duplicates and a RACK loss at the old SND.MAX start one, below it not")
  void sackRecoverBoundary() {
    LossRecovery dupThresh = new LossRecovery(cc, ISS, true, true);
    dupThresh.onTimeout(MAX - UNA, true, MAX, NOW);
    dupThresh.onDuplicateAck(MAX, MAX + SMSS, SMSS, NOW);
    dupThresh.onDuplicateAck(MAX, MAX + SMSS, SMSS, NOW);
    assertTrue(dupThresh.onDuplicateAck(MAX, MAX + SMSS, SMSS, NOW));
    LossRecovery rack = new LossRecovery(cc, ISS, false, true);
    rack.onTimeout(MAX - UNA, true, MAX, NOW);
    assertFalse(rack.enterOnLoss(MAX - 1, MAX + SMSS, SMSS + 1, NOW));
    assertTrue(rack.enterOnLoss(MAX, MAX + SMSS, SMSS, NOW));
  }

  @Test
  @DisplayName(
      "RFC 6582 §3.2 step 2 across the 2^32 wrap: an ACK just past zero exceeds a recover just below it")
  void recoverComparisonWraps() {
    int iss = 0xFFFF_FFF0;
    LossRecovery wrapped = new LossRecovery(cc, iss);
    int ack = 0x10; // 32 past iss, in sequence space
    wrapped.onDuplicateAck(ack, ack + 5 * SMSS, 5 * SMSS, NOW);
    wrapped.onDuplicateAck(ack, ack + 5 * SMSS, 5 * SMSS, NOW);
    assertTrue(wrapped.onDuplicateAck(ack, ack + 5 * SMSS, 5 * SMSS, NOW));
    assertEquals(ack + 5 * SMSS - 1, wrapped.recover);
  }

  // ------------------------------------------------------------------ timeout

  @Test
  @DisplayName(
      "RFC 5681 §3.1, RFC 6582 §3.2 step 4: an RTO leaves recovery, sets recover = SND.MAX − 1 and collapses the window once")
  void timeoutLeavesRecoveryAndCollapsesOnce() {
    enterRecovery();
    recovery.onTimeout(MAX - UNA, true, MAX + 3 * SMSS, NOW);
    assertFalse(recovery.inRecovery);
    assertEquals(0, recovery.duplicateAcks);
    assertEquals(MAX + 3 * SMSS - 1, recovery.recover);
    assertEquals(List.of("rto 10000"), cc.calls);
    // The same segment timing out again must not shrink ssthresh again (RFC 5681 §3.1).
    recovery.onTimeout(MAX - UNA, false, MAX + 3 * SMSS, NOW);
    assertEquals(List.of("rto 10000"), cc.calls);
  }
}
