package dev.vnetif.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.tcp.TailLossProbe.Outcome;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The tail loss probe's timing and verdicts (RFC 8985 §7.2–7.4). */
class TailLossProbeTest {
  static final long MS = 1_000_000L;

  @Test
  @DisplayName(
      "RFC 8985 §7.2: PTO = 2·SRTT, + WCDelAckT for one segment in flight, 1 s without SRTT, capped by the RTO")
  void probeTimeout() {
    assertEquals(200 * MS, TailLossProbe.timeoutNanos(100 * MS, false, 10_000 * MS));
    assertEquals(400 * MS, TailLossProbe.timeoutNanos(100 * MS, true, 10_000 * MS));
    assertEquals(1_000 * MS, TailLossProbe.timeoutNanos(-1, false, 10_000 * MS));
    assertEquals(150 * MS, TailLossProbe.timeoutNanos(100 * MS, false, 150 * MS), "RTO first");
    assertEquals(0, TailLossProbe.timeoutNanos(100 * MS, false, -5 * MS), "never negative");
  }

  @Test
  @DisplayName(
      "RFC 8985 §7.2–7.3: no probe while recovering, with SACKed segments, or with a probe in flight")
  void whenAProbeMayBeArmed() {
    TailLossProbe tlp = new TailLossProbe();
    assertTrue(tlp.mayArm(false, 0));
    assertFalse(tlp.mayArm(true, 0), "fast or RTO recovery");
    assertFalse(tlp.mayArm(false, 1), "SACKed segments: RACK acts on them");
    tlp.probeSent(5000, true);
    assertFalse(tlp.mayArm(false, 0), "one probe per tail");
    assertEquals(1, tlp.probes());
  }

  @Test
  @DisplayName("RFC 8985 §7.4.2: a probe of new data, once acknowledged, repaired nothing")
  void newDataProbe() {
    TailLossProbe tlp = new TailLossProbe();
    tlp.probeSent(5000, false);
    assertEquals(Outcome.NONE, tlp.onAck(4000, true, false, 0, false), "not there yet");
    assertEquals(Outcome.NO_LOSS, tlp.onAck(5000, true, false, 0, false));
    assertFalse(tlp.inFlight());
  }

  @Test
  @DisplayName(
      "RFC 8985 §7.4.2: a D-SACK for the retransmitted probe: the original arrived, no loss")
  void dsackOfTheProbe() {
    TailLossProbe tlp = new TailLossProbe();
    tlp.probeSent(5000, true);
    assertEquals(Outcome.NONE, tlp.onAck(5000, true, false, 0, false), "the probe's own ACK");
    assertEquals(Outcome.NO_LOSS, tlp.onAck(5000, false, true, 5000, true));
  }

  @Test
  @DisplayName(
      "RFC 8985 §7.4.2: an ACK beyond the probe, or a bare duplicate ACK, means it repaired a loss")
  void probeRepairedALoss() {
    TailLossProbe beyond = new TailLossProbe();
    beyond.probeSent(5000, true);
    beyond.onAck(5000, true, false, 0, false);
    assertEquals(Outcome.LOSS_REPAIRED, beyond.onAck(6000, true, false, 0, false));

    TailLossProbe duplicate = new TailLossProbe();
    duplicate.probeSent(5000, true);
    duplicate.onAck(5000, true, false, 0, false);
    assertEquals(Outcome.LOSS_REPAIRED, duplicate.onAck(5000, false, false, 0, false));

    TailLossProbe sacked = new TailLossProbe();
    sacked.probeSent(5000, true);
    assertEquals(
        Outcome.NONE, sacked.onAck(5000, false, false, 0, true), "a duplicate with SACK: wait");
    sacked.reset();
    assertFalse(sacked.inFlight());
  }
}
