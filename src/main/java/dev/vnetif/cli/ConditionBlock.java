package dev.vnetif.cli;

import dev.vnetif.Direction;
import dev.vnetif.LinkConditions;
import dev.vnetif.Stack;
import dev.vnetif.VirtualNetwork;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;

/**
 * Link conditions for one part of a scenario's network: every port, one host's port in one
 * direction, or one direction between two hosts.
 */
record ConditionBlock(ConditionBlock.Scope scope, LinkConditions conditions) {

  /** Where conditions apply. */
  sealed interface Scope {
    /** Every switch port ({@link VirtualNetwork#setConditions(LinkConditions)}). */
    record Everywhere() implements Scope {}

    /**
     * One side of a host's switch port, as the switch sees it: {@code INGRESS} the frames the host
     * sends (entering the switch), {@code EGRESS} the frames it receives (leaving the switch).
     */
    record Port(String host, Direction direction) implements Scope {}

    /** Frames from one host to another, not the way back. */
    record Pair(String from, String to) implements Scope {}
  }

  static ConditionBlock everywhere(LinkConditions conditions) {
    return new ConditionBlock(new Scope.Everywhere(), conditions);
  }

  boolean isEverywhere() {
    return scope instanceof Scope.Everywhere;
  }

  /** Sets these conditions on {@code network}, with the hosts as {@code hosts} finds them now. */
  CompletionStage<Done> apply(VirtualNetwork network, Function<String, Stack> hosts) {
    if (scope instanceof Scope.Port p) {
      return network.setConditions(hosts.apply(p.host()), p.direction(), conditions);
    }
    if (scope instanceof Scope.Pair p) {
      return network.setConditions(hosts.apply(p.from()), hosts.apply(p.to()), conditions);
    }
    return network.setConditions(conditions);
  }

  /**
   * {@code everywhere: loss random 1%}, {@code laptop egress (frames to laptop): rate 10Mbit},
   * {@code a -> b: delay 5ms}.
   */
  String describe() {
    return scopeText() + ": " + (conditions.isNone() ? "none" : conditions);
  }

  String scopeText() {
    if (scope instanceof Scope.Port p) {
      return p.host()
          + " "
          + p.direction().name().toLowerCase(Locale.ROOT)
          + (p.direction() == Direction.INGRESS ? " (frames from " : " (frames to ")
          + p.host()
          + ")";
    }
    if (scope instanceof Scope.Pair p) {
      return p.from() + " -> " + p.to();
    }
    return "everywhere";
  }
}
