package dev.vnetif.cli;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 12's goodput figures as a regression test: with CUBIC + SACK + RACK-TLP (the defaults) a
 * lossy cell of {@code vnetif goodput} reaches at least 0.8x the Mathis bound and at least what
 * NewReno reaches on the same network with the same seed. The cells are those of the README table
 * at 1% and 5% loss, run exactly as the command runs them (same seed, rate and stop rule), in
 * virtual time: each takes well under three seconds of wall time.
 */
class GoodputUnderLossTest {

  /** The command's defaults: `vnetif goodput` prints these cells with seed 1. */
  private static final long SEED = 1;

  private static final long RATE = 1_000_000_000L;

  static Stream<Arguments> cells() {
    return Stream.of(
        Arguments.of(10, 1.0),
        Arguments.of(10, 5.0),
        Arguments.of(100, 1.0),
        Arguments.of(100, 5.0));
  }

  @ParameterizedTest(name = "{0} ms RTT, {1}% loss (seed " + SEED + ")")
  @MethodSource("cells")
  void cubicWithSackAndRackBeatsTheBoundAndNewReno(int rttMillis, double lossPercent)
      throws Exception {
    GoodputCell.Spec spec = new GoodputCell.Spec(Duration.ofMillis(rttMillis), lossPercent);
    GoodputCell.Result cubic = GoodputCell.run(spec, settings("cubic"));
    GoodputCell.Result newReno = GoodputCell.run(spec, settings("newreno"));
    assertNull(cubic.error(), "cubic transfer");
    assertNull(newReno.error(), "newreno transfer");
    double mathis =
        GoodputModels.mathisBitsPerSecond(cubic.mss(), spec.rtt(), spec.lossProbability());
    String figures =
        String.format(
            Locale.ROOT,
            "seed %d, %s: cubic %.3f Mbit/s (%d retransmits, %d timeouts), newreno %.3f Mbit/s,"
                + " Mathis %.3f Mbit/s",
            SEED,
            spec.describe(),
            cubic.goodputBitsPerSecond() / 1e6,
            cubic.sender().retransmits(),
            cubic.sender().timeouts(),
            newReno.goodputBitsPerSecond() / 1e6,
            mathis / 1e6);
    System.out.println(figures);
    assertTrue(cubic.goodputBitsPerSecond() >= 0.8 * mathis, "below 0.8x Mathis: " + figures);
    assertTrue(
        cubic.goodputBitsPerSecond() >= newReno.goodputBitsPerSecond(),
        "below NewReno: " + figures);
  }

  private static GoodputCell.Settings settings(String congestionControl) {
    return new GoodputCell.Settings(
        Duration.ofSeconds(200),
        1000,
        Duration.ofSeconds(5),
        RATE,
        SEED,
        congestionControl,
        "rack");
  }
}
