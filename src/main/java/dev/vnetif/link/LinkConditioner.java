package dev.vnetif.link;

import dev.vnetif.ConditionStats;
import dev.vnetif.Direction;
import dev.vnetif.Frame;
import dev.vnetif.LinkConditions;
import dev.vnetif.link.conditions.ConditionedLink;
import dev.vnetif.link.conditions.Departure;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.util.ByteString;

/**
 * Everything the switch does to a frame between the port it came in on and the port it leaves by:
 * link conditions (loss, delay, rate, ...), partitions, and held links. Owned by the {@link
 * SwitchActor}; not thread-safe.
 *
 * <p>A frame from port A to port B passes, in this order:
 *
 * <ol>
 *   <li>A's ingress conditions — the wire from A to the switch, so a frame they delay reaches the
 *       switch (and its MAC learning) later;
 *   <li>the switch forwards it; for each port B it goes to:
 *   <li>the cut check (a partition or an isolated port drops it, counted per pair), then the hold
 *       check (a held pair queues it until released);
 *   <li>the network-wide conditions (one state per destination port, as if every port had them on
 *       its egress), then the conditions of the directed pair A→B, then B's egress conditions.
 * </ol>
 *
 * Each of these is a {@link ConditionedLink} with its own state and its own random stream, split
 * from the network's seed by the link's name, so that adding a host or a condition elsewhere never
 * changes a link's draws. A frame whose departure lies in the future waits in {@link #schedule};
 * the switch wakes at the earliest departure and calls {@link #due}. Nothing here blocks.
 *
 * <p>With nothing configured and nothing waiting, {@link #idle()} is true and the switch forwards
 * exactly as before, at no cost.
 */
final class LinkConditioner {

  /** What the switch does with a frame once the conditioner lets it go. */
  interface Output {
    /** The frame reached the switch (after ingress conditions): learn and forward it. */
    void arrived(SwitchPort in, TappedFrame frame);

    /** The frame leaves by {@code out} now. */
    void deliver(SwitchPort out, ByteString frame);
  }

  /** A frame waiting for its time: to arrive at the switch, or to leave by a port. */
  private record Waiting(long at, long order, boolean arrival, int port, TappedFrame frame) {}

  private final long seed;
  private final Function<TappedFrame, Frame> views;

  private LinkConditions everywhere = LinkConditions.none();
  private final Map<Integer, ConditionedLink> everywhereByPort = new HashMap<>();
  private final Map<Integer, ConditionedLink> ingress = new HashMap<>();
  private final Map<Integer, ConditionedLink> egress = new HashMap<>();
  private final Map<Long, ConditionedLink> pairs = new HashMap<>();

  /**
   * Cut directions, each with its owners (see {@link SwitchCommand.Cut}): cut while any holds it.
   */
  private final Map<Long, Set<String>> cuts = new HashMap<>();

  private final Set<Integer> isolated = new HashSet<>();
  private final Map<Long, ArrayDeque<TappedFrame>> held = new LinkedHashMap<>();

  /** Frames dropped by cuts and frames held, per directed pair, for {@link #stats}. */
  private final Map<Long, long[]> cutCounts = new LinkedHashMap<>();

  private final PriorityQueue<Waiting> schedule =
      new PriorityQueue<>(
          (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
  private long nextOrder;

  private final List<Departure> scratch = new ArrayList<>();

  LinkConditioner(long seed, Function<TappedFrame, Frame> views) {
    this.seed = seed;
    this.views = views;
  }

  /** Nothing configured and nothing waiting: the switch may forward without asking. */
  boolean idle() {
    return schedule.isEmpty()
        && ingress.isEmpty()
        && egress.isEmpty()
        && pairs.isEmpty()
        && everywhere.isNone()
        && cuts.isEmpty()
        && isolated.isEmpty()
        && held.isEmpty();
  }

  // ---------------------------------------------------------------- configuration

  void setEverywhere(LinkConditions conditions) {
    everywhere = conditions;
    everywhereByPort.clear(); // fresh state per port, made on first use
  }

  void setPort(SwitchPort port, Direction direction, LinkConditions conditions) {
    Map<Integer, ConditionedLink> links = direction == Direction.INGRESS ? ingress : egress;
    if (conditions.isNone()) {
      links.remove(port.number);
    } else {
      String scope = (direction == Direction.INGRESS ? "ingress " : "egress ") + port.name;
      links.put(port.number, new ConditionedLink(scope, conditions, seed, views));
    }
  }

  void setPair(SwitchPort from, SwitchPort to, LinkConditions conditions) {
    long key = pairKey(from.number, to.number);
    if (conditions.isNone()) {
      pairs.remove(key);
    } else {
      String scope = "pair " + from.name + "->" + to.name;
      pairs.put(key, new ConditionedLink(scope, conditions, seed, views));
    }
  }

  /** Cuts (or mends) the direction {@code from → to} on behalf of {@code owner}. */
  void cut(int from, int to, String owner, boolean cut) {
    long key = pairKey(from, to);
    if (cut) {
      cuts.computeIfAbsent(key, k -> new HashSet<>(2)).add(owner);
      cutCounts.computeIfAbsent(key, k -> new long[2]);
      return;
    }
    Set<String> owners = cuts.get(key);
    if (owners != null) {
      owners.remove(owner);
      if (owners.isEmpty()) {
        cuts.remove(key);
      }
    }
  }

  void isolate(int port, boolean isolate) {
    if (isolate) {
      isolated.add(port);
    } else {
      isolated.remove(port);
    }
  }

  /** Mends every cut and every isolation; held pairs stay held. */
  void healAll() {
    cuts.clear();
    isolated.clear();
  }

  void hold(int from, int to) {
    long key = pairKey(from, to);
    held.computeIfAbsent(key, k -> new ArrayDeque<>());
    cutCounts.computeIfAbsent(key, k -> new long[2]);
  }

  /**
   * Ends a hold: the frames it kept continue, in order and at once, through the pair's conditions
   * (a pair without conditions delivers them all in this one batch).
   */
  void release(SwitchPort from, SwitchPort to, long now, Output output) {
    ArrayDeque<TappedFrame> frames = held.remove(pairKey(from.number, to.number));
    if (frames == null) {
      return;
    }
    for (TappedFrame frame : frames) {
      leave(from, to, frame, now, output);
    }
  }

  /** A port left the switch: its links, cuts and held frames go with it. */
  void forget(int port) {
    ingress.remove(port);
    egress.remove(port);
    everywhereByPort.remove(port);
    isolated.remove(port);
    pairs.keySet().removeIf(k -> touches(k, port));
    cuts.keySet().removeIf(k -> touches(k, port));
    held.keySet().removeIf(k -> touches(k, port));
  }

  // ---------------------------------------------------------------- the path of a frame

  /** A frame came in on {@code in}: through its ingress conditions to the switch. */
  void enter(SwitchPort in, TappedFrame frame, long now, Output output) {
    ConditionedLink link = ingress.get(in.number);
    if (link == null) {
      output.arrived(in, frame);
      return;
    }
    List<Departure> departures = offer(link, frame, now);
    for (int i = 0, n = departures.size(); i < n; i++) {
      Departure d = departures.get(i);
      TappedFrame next = withBytes(frame, d.frame());
      if (d.atNanos() <= now) {
        output.arrived(in, next);
      } else {
        schedule.add(new Waiting(d.atNanos(), nextOrder++, true, in.number, next));
      }
    }
  }

  /** The switch forwards {@code frame} from {@code in} to {@code out}. */
  void leave(SwitchPort in, SwitchPort out, TappedFrame frame, long now, Output output) {
    long key = pairKey(in.number, out.number);
    if (!cuts.isEmpty() || !isolated.isEmpty()) {
      if (isolated.contains(in.number) || isolated.contains(out.number) || cuts.containsKey(key)) {
        cutCounts.computeIfAbsent(key, k -> new long[2])[0]++;
        return;
      }
    }
    if (!held.isEmpty()) {
      ArrayDeque<TappedFrame> queue = held.get(key);
      if (queue != null) {
        queue.add(frame);
        cutCounts.get(key)[1]++;
        return;
      }
    }
    ConditionedLink first = everywhere.isNone() ? null : everywhereLink(out);
    pass(first, pairs.get(key), egress.get(out.number), out, frame, now, now, output);
  }

  /** Frames whose time came: arrivals are forwarded, departures delivered, in time order. */
  void due(long now, Output output, Function<Integer, SwitchPort> ports) {
    while (!schedule.isEmpty() && schedule.peek().at <= now) {
      Waiting w = schedule.poll();
      SwitchPort port = ports.apply(w.port);
      if (port == null) {
        continue; // the port left while the frame was on its way
      }
      if (w.arrival) {
        output.arrived(port, w.frame);
      } else {
        output.deliver(port, w.frame.bytes());
      }
    }
  }

  /** When the earliest waiting frame is due, or {@code Long.MAX_VALUE} when none waits. */
  long nextDue() {
    Waiting first = schedule.peek();
    return first == null ? Long.MAX_VALUE : first.at;
  }

  ConditionStats stats() {
    List<ConditionStats.LinkStats> links = new ArrayList<>();
    ingress.values().forEach(l -> links.add(l.stats()));
    everywhereByPort.values().forEach(l -> links.add(l.stats()));
    pairs.values().forEach(l -> links.add(l.stats()));
    egress.values().forEach(l -> links.add(l.stats()));
    cutCounts.forEach(
        (key, counts) ->
            links.add(
                new ConditionStats.LinkStats(
                    "ports " + (key >>> 32) + "->" + (key & 0xFFFF_FFFFL),
                    List.of(
                        new ConditionStats.StepStats("cut", counts[0], counts[0], 0, 0, 0, 0, 0, 0),
                        new ConditionStats.StepStats(
                            "hold", counts[1], 0, 0, 0, 0, 0, counts[1], 0)))));
    return new ConditionStats(List.copyOf(links));
  }

  // ---------------------------------------------------------------- internals

  /** Through up to three links in turn; what leaves the last one is delivered or scheduled. */
  private void pass(
      ConditionedLink a,
      ConditionedLink b,
      ConditionedLink c,
      SwitchPort out,
      TappedFrame frame,
      long at,
      long now,
      Output output) {
    ConditionedLink link = a != null ? a : b != null ? b : c;
    if (link == null) {
      if (at <= now) {
        output.deliver(out, frame.bytes());
      } else {
        schedule.add(new Waiting(at, nextOrder++, false, out.number, frame));
      }
      return;
    }
    ConditionedLink nextB = a != null ? b : null;
    ConditionedLink nextC = a != null ? c : b != null ? c : null;
    List<Departure> departures = offer(link, frame, at);
    for (int i = 0, n = departures.size(); i < n; i++) {
      Departure d = departures.get(i);
      pass(nextB, nextC, null, out, withBytes(frame, d.frame()), d.atNanos(), now, output);
    }
  }

  private List<Departure> offer(ConditionedLink link, TappedFrame frame, long at) {
    // Departures are copied out of the shared scratch list: passing them on may offer again.
    scratch.clear();
    link.offer(frame, at, scratch);
    return scratch.isEmpty() ? List.of() : List.copyOf(scratch);
  }

  private ConditionedLink everywhereLink(SwitchPort out) {
    return everywhereByPort.computeIfAbsent(
        out.number, n -> new ConditionedLink("all->" + out.name, everywhere, seed, views));
  }

  private static TappedFrame withBytes(TappedFrame frame, ByteString bytes) {
    return bytes == frame.bytes()
        ? frame
        : new TappedFrame(bytes, frame.ingressPort(), frame.ingressName(), frame.epochNanos());
  }

  private static long pairKey(int from, int to) {
    return (long) from << 32 | (to & 0xFFFF_FFFFL);
  }

  private static boolean touches(long key, int port) {
    return (int) (key >>> 32) == port || (int) key == port;
  }
}
