package dev.vnetif.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.vnetif.Direction;
import dev.vnetif.LinkConditions;
import dev.vnetif.StackConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads a {@link Scenario} from HOCON. Every key is checked: an unknown one, a missing one or a bad
 * value is an {@link IllegalArgumentException} naming the file, the key path, the line and the
 * value.
 *
 * <pre>
 * scenario {
 *   name = "..."                   # optional, default: the file name
 *   seed = 42                      # optional, overrides vnetif.seed (--seed overrides both)
 *   expect = success               # or failure: the default of each traffic entry
 *   hosts = [ { name = a, cidr = "10.0.0.2/24", gateway = "...", mtu = 1500,
 *               checksum-offload = false }, ... ]
 *   conditions = [ BLOCK, ... ]    # or one BLOCK; set once the hosts are up
 *   traffic = [
 *     { type = iperf, name = up, from = a, to = b, size = 1M (or time = 10s), start = 0s,
 *       port = 5001, write-size = 3780, timeout = 60s, expect = success }
 *     { type = ping, from = a, to = b, count = 10, interval = 1s, size = 56, wait = 1s }
 *   ]
 *   schedule = [ see ScheduleReader ]
 *   nemesis { see ScenarioNemesis }  # optional: random partitions from a seeded stream
 * }
 * BLOCK: an optional scope, then the conditions, with the values of the command-line flags:
 *   (nothing: every port) | host = a, direction = ingress|egress | from = a, to = b
 *   | between = [a, b] (both directions)
 *   where ingress is what host a sends (into the switch) and egress what it receives (out of it)
 *   loss = 1%, loss-model = "ge:P,R,1-H,1-K", duplicate, corrupt, delay = 50ms, jitter = 10ms,
 *   distribution = normal, correlation = 25%, reorder = "1%:5", slot { min = 2ms, max = 10ms,
 *   packets = 8, bytes = 0 } (or slot = "2ms,10ms,8"), rate = 10Mbit, rate-overhead = 24, queue = 50
 * </pre>
 */
final class ScenarioReader {
  static final Duration SIZED_TIMEOUT = Duration.ofSeconds(60);
  static final Duration TIMED_MARGIN = Duration.ofSeconds(30);
  static final int FIRST_PORT = 5001;
  static final int DEFAULT_WRITE_SIZE = 3780;

  private final String file;
  private final List<StackConfig> hosts = new ArrayList<>();

  private ScenarioReader(String file) {
    this.file = file;
  }

  static Scenario read(Config root, String file) {
    try {
      ConfigSection top = new ConfigSection(root.root(), "", file);
      if (!top.has("scenario")) {
        throw new IllegalArgumentException(
            "bad scenario " + file + ": no 'scenario { ... }' section");
      }
      top.checkNoOtherKeys();
      return new ScenarioReader(file).scenario(top.section("scenario"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("bad scenario " + file + ": " + e.getMessage(), e);
    }
  }

  private Scenario scenario(ConfigSection s) {
    String name = s.optional("name", t -> t, file);
    OptionalLong seed =
        s.has("seed")
            ? OptionalLong.of(s.value("seed", ScenarioReader::seed))
            : OptionalLong.empty();
    boolean expectFailure = s.optional("expect", ScenarioReader::expectFailure, false);
    for (ConfigSection h : s.sections("hosts")) {
      hosts.add(host(h));
    }
    if (hosts.size() < 2) {
      throw s.error("hosts", "a scenario needs at least two hosts, has " + hosts.size());
    }
    List<ConditionBlock> conditions = conditionBlocks(s, "conditions");
    List<ScenarioTraffic> traffic = new ArrayList<>();
    List<ConfigSection> entries = s.sections("traffic");
    for (int i = 0; i < entries.size(); i++) {
      traffic.add(traffic(entries.get(i), i, expectFailure));
    }
    checkPorts(s, traffic);
    List<ScheduledChange> schedule = new ScheduleReader(this).schedule(s);
    Optional<ScenarioNemesis> nemesis =
        s.has("nemesis")
            ? Optional.of(ScenarioNemesis.read(s.section("nemesis"), this))
            : Optional.empty();
    s.checkNoOtherKeys();
    return new Scenario(name, seed, hosts, conditions, traffic, schedule, nemesis);
  }

  private StackConfig host(ConfigSection h) {
    StackConfig host = h.value("cidr", StackConfig::of);
    if (h.has("name")) {
      host = host.withName(h.text("name"));
    }
    if (h.has("gateway")) {
      host = h.value("gateway", host::withGateway);
    }
    if (h.has("mtu")) {
      host = host.withMtu(h.value("mtu", t -> ConditionValues.wholeNumber(t, 68, "an MTU")));
    }
    if (h.has("checksum-offload")) {
      host = host.withChecksumOffload(h.value("checksum-offload", ScenarioReader::bool));
    }
    h.checkNoOtherKeys();
    for (StackConfig other : hosts) {
      if (other.name().equals(host.name())) {
        throw h.error("name", "two hosts are named '" + host.name() + "'");
      }
    }
    return host;
  }

  /** {@code key} as a list of condition blocks (or one block), each with its scope. */
  List<ConditionBlock> conditionBlocks(ConfigSection s, String key) {
    List<ConditionBlock> blocks = new ArrayList<>();
    for (ConfigSection b : s.sections(key)) {
      blocks.addAll(conditionBlock(b));
    }
    return blocks;
  }

  private List<ConditionBlock> conditionBlock(ConfigSection b) {
    ConditionSpec spec = conditionSpec(b);
    LinkConditions conditions;
    try {
      conditions = spec.build(k -> k);
    } catch (IllegalArgumentException e) {
      throw b.error(e.getMessage());
    }
    boolean port = b.has("host") || b.has("direction");
    boolean pair = b.has("from") || b.has("to");
    boolean between = b.has("between");
    if ((port ? 1 : 0) + (pair ? 1 : 0) + (between ? 1 : 0) > 1) {
      throw b.error(
          "give one scope: host + direction, from + to, or between = [a, b] (none: every port)");
    }
    List<ConditionBlock> blocks = new ArrayList<>();
    if (port) {
      String host = host(b, "host", b.text("host"));
      Direction direction = b.value("direction", ScenarioReader::direction);
      blocks.add(new ConditionBlock(new ConditionBlock.Scope.Port(host, direction), conditions));
    } else if (pair) {
      String from = host(b, "from", b.text("from"));
      String to = host(b, "to", b.text("to"));
      blocks.add(new ConditionBlock(new ConditionBlock.Scope.Pair(from, to), conditions));
    } else if (between) {
      List<String> ab = hostPair(b, "between");
      blocks.add(
          new ConditionBlock(new ConditionBlock.Scope.Pair(ab.get(0), ab.get(1)), conditions));
      blocks.add(
          new ConditionBlock(new ConditionBlock.Scope.Pair(ab.get(1), ab.get(0)), conditions));
    } else {
      blocks.add(ConditionBlock.everywhere(conditions));
    }
    b.checkNoOtherKeys();
    return blocks;
  }

  /** The condition keys of a block, with the flags' vocabulary. */
  static ConditionSpec conditionSpec(ConfigSection b) {
    return new ConditionSpec(
        b.optional("loss", ConditionValues::probability),
        b.optional("loss-model", ConditionValues::lossModel),
        b.optional("duplicate", ConditionValues::probability),
        b.optional("corrupt", ConditionValues::probability),
        b.optional("delay", ConditionValues::duration),
        b.optional("jitter", ConditionValues::duration),
        b.optional("distribution", ConditionValues::distribution),
        b.optional("correlation", ConditionValues::probability),
        b.optional("reorder", ConditionValues::reorder),
        slot(b),
        b.optional("rate", ConditionValues::bitsPerSecond),
        b.optional("rate-overhead", t -> ConditionValues.wholeNumber(t, 0, "a byte count")),
        b.optional("queue", t -> ConditionValues.wholeNumber(t, 1, "a frame count")));
  }

  /** {@code slot { min = 2ms, max = 10ms, packets = 8, bytes = 0 }} or {@code slot = "2ms,..."}. */
  private static ConditionSpec.Slot slot(ConfigSection b) {
    if (!b.has("slot")) {
      return null;
    }
    if (!b.isObject("slot")) {
      return b.value("slot", ConditionValues::slot);
    }
    ConfigSection s = b.section("slot");
    Duration min = s.value("min", ConditionValues::duration);
    Duration max = s.optional("max", ConditionValues::duration, min);
    int packets = s.optional("packets", t -> ConditionValues.wholeNumber(t, 0, "a frame count"), 0);
    int bytes = s.optional("bytes", t -> ConditionValues.wholeNumber(t, 0, "a byte count"), 0);
    s.checkNoOtherKeys();
    try {
      return ConditionValues.slot(
          "max " + ConditionValues.durationText(max), min, max, packets, bytes);
    } catch (IllegalArgumentException e) {
      throw s.error("max", e.getMessage());
    }
  }

  private ScenarioTraffic traffic(ConfigSection t, int index, boolean scenarioExpectsFailure) {
    String type = t.value("type", ScenarioReader::trafficType);
    String name = t.optional("name", x -> x, type + "-" + (index + 1));
    String from = host(t, "from", t.text("from"));
    String to = host(t, "to", t.text("to"));
    if (from.equals(to)) {
      throw t.error("to", "is the same host as 'from'; traffic runs between two hosts");
    }
    Duration start = t.optional("start", ConditionValues::duration, Duration.ZERO);
    boolean expectFailure =
        t.optional("expect", ScenarioReader::expectFailure, scenarioExpectsFailure);
    ScenarioTraffic traffic =
        type.equals("ping")
            ? new ScenarioTraffic.Ping(
                name,
                from,
                to,
                start,
                t.optional("count", x -> ConditionValues.wholeNumber(x, 1, "a count"), 10),
                t.optional("interval", ConditionValues::duration, Duration.ofSeconds(1)),
                t.optional("size", x -> ConditionValues.wholeNumber(x, 0, "a size"), 56),
                t.optional("wait", ConditionValues::positiveDuration, Duration.ofSeconds(1)),
                expectFailure)
            : iperf(t, index, name, from, to, start, expectFailure);
    t.checkNoOtherKeys();
    return traffic;
  }

  private static ScenarioTraffic.Iperf iperf(
      ConfigSection t,
      int index,
      String name,
      String from,
      String to,
      Duration start,
      boolean expectFailure) {
    if (t.has("size") == t.has("time")) {
      throw t.error("give either size (e.g. size = 1M) or time (e.g. time = 10s)");
    }
    long bytes = t.optional("size", ScenarioReader::bytes, 0L);
    Duration time = t.optional("time", ConditionValues::positiveDuration);
    int port =
        t.optional("port", x -> ConditionValues.wholeNumber(x, 1, "a port"), FIRST_PORT + index);
    if (port > 65535) {
      throw t.error("port", "must be within 1..65535");
    }
    int writeSize =
        t.optional(
            "write-size", x -> (int) Math.min(Integer.MAX_VALUE, bytes(x)), DEFAULT_WRITE_SIZE);
    if (writeSize < 1 || writeSize > IperfCommand.MAX_WRITE_SIZE) {
      throw t.error("write-size", "must be within 1.." + IperfCommand.MAX_WRITE_SIZE + " bytes");
    }
    Duration timeout =
        t.optional(
            "timeout",
            ConditionValues::positiveDuration,
            time == null ? SIZED_TIMEOUT : time.plus(TIMED_MARGIN));
    return new ScenarioTraffic.Iperf(
        name, from, to, start, bytes, time, port, writeSize, timeout, expectFailure);
  }

  /** Two transfers to one host on one port would fight over its listener. */
  private static void checkPorts(ConfigSection s, List<ScenarioTraffic> traffic) {
    Set<String> used = new HashSet<>();
    for (ScenarioTraffic t : traffic) {
      if (t instanceof ScenarioTraffic.Iperf i && !used.add(i.to() + ":" + i.port())) {
        throw s.error(
            "traffic",
            "two iperf entries listen on "
                + i.to()
                + " port "
                + i.port()
                + "; give one of them another 'port'");
      }
    }
  }

  /** The name of the host {@code text} names (by name or address), or an error naming the key. */
  String host(ConfigSection s, String key, String text) {
    for (StackConfig h : hosts) {
      if (h.name().equals(text) || h.cidr().address().toString().equals(text)) {
        return h.name();
      }
    }
    List<String> known = new ArrayList<>();
    hosts.forEach(h -> known.add(h.name()));
    throw s.error(key, "no host '" + text + "'; hosts: " + String.join(", ", known));
  }

  /** {@code key = [a, b]}: two different hosts. */
  List<String> hostPair(ConfigSection s, String key) {
    List<String> names = s.texts(key);
    if (names.size() != 2) {
      throw s.error(key, "expected two hosts [a, b], got " + names.size());
    }
    String a = host(s, key, names.get(0));
    String b = host(s, key, names.get(1));
    if (a.equals(b)) {
      throw s.error(key, "names the same host twice");
    }
    return List.of(a, b);
  }

  private static String trafficType(String text) {
    String type = text.toLowerCase(Locale.ROOT);
    if (!type.equals("iperf") && !type.equals("ping")) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a traffic type; expected iperf or ping");
    }
    return type;
  }

  private static boolean expectFailure(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "success" -> false;
      case "failure" -> true;
      default ->
          throw new IllegalArgumentException(
              "'" + text + "' is not an expectation; expected success or failure");
    };
  }

  private static Direction direction(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "ingress" -> Direction.INGRESS;
      case "egress" -> Direction.EGRESS;
      default ->
          throw new IllegalArgumentException(
              "'" + text + "' is not a direction; expected ingress or egress");
    };
  }

  private static long seed(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not a seed; expected a whole number");
    }
  }

  /** A size as iperf's -n takes it ({@code 512K}, {@code 2M}), its error without the option. */
  private static long bytes(String text) {
    try {
      return ByteSize.parse("", text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage().replaceFirst("^: ", ""), e);
    }
  }

  static boolean bool(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw new IllegalArgumentException("'" + text + "' is not true or false");
    };
  }
}
