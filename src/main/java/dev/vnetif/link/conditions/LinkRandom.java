package dev.vnetif.link.conditions;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The random stream of one conditioned link, derived from the network's seed and the link's scope
 * alone: adding, removing or reconfiguring links elsewhere never changes this link's draws, and the
 * derivation does not depend on the JVM (a 64-bit FNV-1a of the scope's UTF-8 bytes, not {@link
 * String#hashCode()}, mixed with the seed through SplitMix64's finalizer).
 */
public final class LinkRandom {
  private static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private LinkRandom() {}

  /** The stream of the link named {@code scope} in a network seeded with {@code seed}. */
  public static SplittableRandom forLink(long seed, String scope) {
    return new SplittableRandom(mix64(seed ^ mix64(fnv1a64(scope))));
  }

  static long fnv1a64(String text) {
    long hash = FNV_OFFSET_BASIS;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= FNV_PRIME;
    }
    return hash;
  }

  /** SplitMix64's finalizer (Stafford's variant 13): every input bit affects every output bit. */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** A uniform variate strictly inside (0, 1), on a grid of 2^-53, so quantiles stay finite. */
  static double open01(SplittableRandom random) {
    return ((random.nextLong() >>> 11) + 0.5) * 0x1.0p-53;
  }
}
