package dev.vnetif.link.conditions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.Distribution;
import org.junit.jupiter.api.Test;

class StandardQuantilesTest {

  @Test
  void normalQuantileMatchesKnownValues() {
    assertEquals(0.0, StandardQuantiles.normal(0.5), 1e-15);
    assertEquals(1.959963984540054, StandardQuantiles.normal(0.975), 1e-8);
    assertEquals(-1.959963984540054, StandardQuantiles.normal(0.025), 1e-8);
    assertEquals(1.0, StandardQuantiles.normal(0.8413447460685429), 1e-8);
    assertEquals(-3.090232306167813, StandardQuantiles.normal(0.001), 1e-8);
    assertEquals(-6.361340902404056, StandardQuantiles.normal(1e-10), 1e-7);
    assertEquals(3.090232306167813, StandardQuantiles.normal(0.999), 1e-8);
  }

  @Test
  void cappedParetoRunsFromItsScaleToSixteenTimesIt() {
    double sd = StandardQuantiles.PARETO_SD;
    double mean = StandardQuantiles.PARETO_MEAN;
    assertEquals((1 - mean) / sd, StandardQuantiles.pareto(1e-300), 1e-12);
    assertEquals((16 - mean) / sd, StandardQuantiles.pareto(1 - 0x1.0p-13), 1e-12);
    assertEquals((2 - mean) / sd, StandardQuantiles.pareto(1 - 1.0 / 8), 1e-12); // (1/8)^(-1/3)
  }

  /** By quadrature over 2^20 midpoints: each law's z has mean 0 and variance 1 (UNIFORM 1/3). */
  @Test
  void everyDistributionIsStandardized() {
    for (Distribution d : Distribution.values()) {
      int n = 1 << 20;
      double sum = 0;
      double squares = 0;
      for (int i = 0; i < n; i++) {
        double z = StandardQuantiles.z(d, (i + 0.5) / n);
        sum += z;
        squares += z * z;
      }
      double variance = d == Distribution.UNIFORM ? 1.0 / 3 : 1.0;
      assertEquals(0.0, sum / n, 1e-6, d + " mean");
      assertEquals(variance, squares / n, 1e-5, d + " variance");
    }
  }

  @Test
  void quantilesIncreaseWithTheVariate() {
    for (Distribution d : Distribution.values()) {
      double previous = Double.NEGATIVE_INFINITY;
      for (int i = 1; i < 10_000; i++) {
        double z = StandardQuantiles.z(d, i / 10_000.0);
        assertTrue(z >= previous, d + " at " + i);
        previous = z;
      }
    }
  }
}
