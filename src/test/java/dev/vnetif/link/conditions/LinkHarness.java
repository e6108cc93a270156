package dev.vnetif.link.conditions;

import dev.vnetif.LinkConditions;
import dev.vnetif.link.TappedFrame;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * Drives one {@link ConditionedLink} in tests: offers frames at given times and returns what left.
 * No predicate runs here (the public Frame can only be made in dev.vnetif; those tests live in
 * LinkConditionsTest), so the view function returns null.
 */
final class LinkHarness {
  static final long MS = 1_000_000L;
  static final long SECOND = 1_000_000_000L;

  final ConditionedLink link;
  final long seed;

  LinkHarness(LinkConditions conditions, long seed) {
    this("egress 10.0.0.3", conditions, seed);
  }

  LinkHarness(String scope, LinkConditions conditions, long seed) {
    this.link = new ConditionedLink(scope, conditions, seed, tapped -> null);
    this.seed = seed;
  }

  /** What leaves for one frame of {@code length} zero bytes offered at {@code now}. */
  List<Departure> offer(int length, long now) {
    return offer(ByteString.fromArrayUnsafe(new byte[length]), now);
  }

  List<Departure> offer(ByteString bytes, long now) {
    List<Departure> out = new ArrayList<>(2);
    link.offer(new TappedFrame(bytes, 1, "h1", now), now, out);
    return out;
  }

  /** For each of {@code count} frames offered {@code spacing} apart from 0: did it leave at all. */
  boolean[] passed(int count, int length, long spacing) {
    boolean[] passed = new boolean[count];
    for (int i = 0; i < count; i++) {
      passed[i] = !offer(length, i * spacing).isEmpty();
    }
    return passed;
  }

  /** The delay each frame got, for frames offered far enough apart that FIFO never holds one. */
  double[] delaysMillis(int count, long spacing) {
    double[] delays = new double[count];
    for (int i = 0; i < count; i++) {
      long now = i * spacing;
      List<Departure> out = offer(64, now);
      delays[i] = (out.get(0).atNanos() - now) / (double) MS;
    }
    return delays;
  }

  /** The message prefix every statistical assertion carries, so a failure can be replayed. */
  String replay() {
    return "seed=" + seed + " conditions='" + link.conditions() + "': ";
  }
}
