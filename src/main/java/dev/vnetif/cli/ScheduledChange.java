package dev.vnetif.cli;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One timed change of a scenario's network: at {@code at} from time zero, do {@code change}.
 *
 * @param note where it came from when not written as is, e.g. {@code flap 2/10}; else empty
 */
record ScheduledChange(Duration at, Change change, String note) {

  /** What changes; each maps onto one call of {@code VirtualNetwork} or {@code Stack}. */
  sealed interface Change {
    /** As the report prints it: {@code cut laptop <-> server}. */
    String describe();

    /** {@code cut = [a, b]}: no frames between a and b either way ({@code partition}). */
    record Cut(String a, String b) implements Change {
      @Override
      public String describe() {
        return "cut " + a + " <-> " + b;
      }
    }

    /** {@code cut-one-way = [from, to]}: no frames from one to the other. */
    record CutOneWay(String from, String to) implements Change {
      @Override
      public String describe() {
        return "cut-one-way " + from + " -> " + to;
      }
    }

    /** {@code heal = [a, b]}: undoes a cut between a and b, both ways. */
    record Heal(String a, String b) implements Change {
      @Override
      public String describe() {
        return "heal " + a + " <-> " + b;
      }
    }

    /** {@code isolate = a}: cut a from every other port. */
    record Isolate(String host) implements Change {
      @Override
      public String describe() {
        return "isolate " + host;
      }
    }

    /** {@code rejoin = a}: undoes {@code isolate}. */
    record Rejoin(String host) implements Change {
      @Override
      public String describe() {
        return "rejoin " + host;
      }
    }

    /** {@code heal-all = true}: every cut and isolation undone. */
    record HealAll() implements Change {
      @Override
      public String describe() {
        return "heal-all";
      }
    }

    /** {@code hold = [from, to]}: frames from one to the other are held back... */
    record Hold(String from, String to) implements Change {
      @Override
      public String describe() {
        return "hold " + from + " -> " + to;
      }
    }

    /** ...until {@code release = [from, to]} delivers them all at once. */
    record Release(String from, String to) implements Change {
      @Override
      public String describe() {
        return "release " + from + " -> " + to;
      }
    }

    /** {@code crash = b}: the host stops at once, its connections lost without a FIN or RST. */
    record Crash(String host) implements Change {
      @Override
      public String describe() {
        return "crash " + host;
      }
    }

    /** {@code restart = b}: a crashed host comes back, same address, empty state. */
    record Restart(String host) implements Change {
      @Override
      public String describe() {
        return "restart " + host;
      }
    }

    /** {@code set-conditions { ... }}: new link conditions from now on. */
    record SetConditions(List<ConditionBlock> blocks) implements Change {
      @Override
      public String describe() {
        return "set-conditions "
            + blocks.stream().map(ConditionBlock::describe).collect(Collectors.joining("; "));
      }
    }
  }

  /** The change as the report prints it, with its note: {@code cut a <-> b (flap 2/10)}. */
  String describe() {
    return note.isEmpty() ? change.describe() : change.describe() + " (" + note + ")";
  }
}
