package dev.vnetif;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One thing a {@link NemesisRun} did: a partition, or the heal that undid it.
 *
 * <p>Hosts are named as {@link Stack#name()} gives them ({@code "port N"} for other attachments)
 * and each side lists its hosts in the order the nemesis was given them. A heal names the sides and
 * directions of the partition it undoes.
 *
 * @param tick the tick that made the change, counted from 1; the same seed and hosts give the same
 *     ticks. The heal {@link NemesisRun#stop()} makes carries the tick count at the stop.
 * @param at when, on the network's clock, from the start of the run: about {@code tick} ticks,
 *     later when the scheduler was late
 * @param action a partition or a heal
 * @param mode how the sides were drawn
 * @param sideA one side; for {@link NemesisMode#ISOLATE_SINGLE} the isolated host alone
 * @param sideB the other side
 * @param cut which directions across the sides are (or were) cut
 */
public record NemesisEvent(
    long tick,
    Duration at,
    Action action,
    NemesisMode mode,
    List<String> sideA,
    List<String> sideB,
    Cut cut) {

  /** What the nemesis did. */
  public enum Action {
    PARTITION,
    HEAL
  }

  /** Which frames across the two sides a partition drops. */
  public enum Cut {
    /** Both ways: a symmetric partition. */
    BOTH_WAYS,
    /** Frames from side A to side B only; B's frames still reach A. */
    A_TO_B,
    /** Frames from side B to side A only; A's frames still reach B. */
    B_TO_A
  }

  public NemesisEvent {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(cut, "cut");
    sideA = List.copyOf(sideA);
    sideB = List.copyOf(sideB);
  }

  /** Whether both directions are cut. */
  public boolean symmetric() {
    return cut == Cut.BOTH_WAYS;
  }

  /** The isolated host, for {@link NemesisMode#ISOLATE_SINGLE}; empty for the other modes. */
  public Optional<String> isolated() {
    return mode == NemesisMode.ISOLATE_SINGLE ? Optional.of(sideA.get(0)) : Optional.empty();
  }

  /**
   * As the scenario report prints it: {@code partition [a, b] | [c] both ways}, {@code isolate c |
   * [a, b] one way: [c] -> [a, b] cut}, {@code heal [a, b] | [c] both ways}.
   */
  public String describe() {
    String verb =
        action == Action.HEAL
            ? "heal"
            : mode == NemesisMode.ISOLATE_SINGLE ? "isolate" : "partition";
    String a = mode == NemesisMode.ISOLATE_SINGLE ? sideA.get(0) : sideA.toString();
    String directions =
        switch (cut) {
          case BOTH_WAYS -> "both ways";
          case A_TO_B -> "one way: " + sideA + " -> " + sideB + " cut";
          case B_TO_A -> "one way: " + sideB + " -> " + sideA + " cut";
        };
    return verb + " " + a + " | " + sideB + " " + directions;
  }
}
