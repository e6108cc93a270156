package dev.vnetif.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.vnetif.Direction;
import dev.vnetif.Distribution;
import dev.vnetif.LinkConditions;
import dev.vnetif.LossModel;
import dev.vnetif.Nemesis;
import dev.vnetif.NemesisMode;
import dev.vnetif.cli.ConditionBlock.Scope;
import dev.vnetif.cli.ScheduledChange.Change;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Scenario files: every key read as documented, and every mistake named with its key. */
class ScenarioReaderTest {
  private static final String HOSTS =
      "hosts = [ { name = a, cidr = \"10.0.0.2/24\" }, { name = b, cidr = \"10.0.0.3/24\" },"
          + " { name = c, cidr = \"10.0.0.4/24\" } ]\n";

  private static Scenario read(String body) {
    return ScenarioReader.read(
        ConfigFactory.parseString("scenario {\n" + HOSTS + body + "\n}"), "test.conf");
  }

  private static String error(String body) {
    return assertThrows(IllegalArgumentException.class, () -> read(body)).getMessage();
  }

  @Test
  @DisplayName("hosts only: the format ping and iperf have always read")
  void hostsOnly() {
    Scenario s =
        ScenarioReader.read(
            ConfigFactory.parseString(
                "scenario { name = x, seed = 7, hosts = [ { name = big, cidr = \"10.1.0.2/16\","
                    + " mtu = 9000, gateway = \"10.1.0.1\", checksum-offload = true },"
                    + " { cidr = \"10.1.0.3/16\" } ] }"),
            "f");
    assertEquals("x", s.name());
    assertEquals(7, s.seed().getAsLong());
    assertEquals(9000, s.hosts().get(0).mtu().orElseThrow());
    assertEquals("10.1.0.1", s.hosts().get(0).gateway().orElseThrow().toString());
    assertTrue(s.hosts().get(0).checksumOffload().orElseThrow());
    assertEquals("10.1.0.3", s.hosts().get(1).name());
    assertTrue(s.conditions().isEmpty() && s.traffic().isEmpty() && s.schedule().isEmpty());
  }

  @Test
  @DisplayName("conditions: every key, with the flags' vocabulary, in netem's order")
  void everyConditionKey() {
    Scenario s =
        read(
            "conditions { loss-model = \"ge:0.01,0.25,1,0\", duplicate = 0.5%, corrupt = 0.1%,"
                + " delay = 50ms, jitter = 10ms, distribution = pareto, correlation = 25%,"
                + " reorder = \"1%:5\", slot { min = 2ms, max = 10ms, packets = 8, bytes = 6000 },"
                + " rate = 10Mbit, rate-overhead = 24, queue = 50 }");
    LinkConditions expected =
        LinkConditions.none()
            .loss(LossModel.gilbertElliott(0.01, 0.25, 1, 0))
            .duplicate(0.005)
            .corrupt(0.001)
            .delay(Duration.ofMillis(50), Duration.ofMillis(10), Distribution.PARETO)
            .correlation(0.25)
            .reorder(0.01, 5)
            .slot(Duration.ofMillis(2), Duration.ofMillis(10), 8, 6000)
            .rate(10_000_000L, 24)
            .queueLimit(50);
    assertEquals(1, s.conditions().size());
    assertTrue(s.conditions().get(0).isEverywhere());
    assertEquals(expected.toString(), s.conditions().get(0).conditions().toString());
    // Unquoted HOCON: "1%" and "50 ms" are strings; a bare number is a fraction.
    Scenario plain = read("conditions { loss = 1%, delay = 50 ms, slot = \"1ms,2ms\" }");
    assertEquals(
        LinkConditions.none()
            .loss(0.01)
            .delay(Duration.ofMillis(50))
            .slot(Duration.ofMillis(1), Duration.ofMillis(2), 0, 0)
            .toString(),
        plain.conditions().get(0).conditions().toString());
    assertEquals(
        LinkConditions.none().loss(0.02).toString(),
        read("conditions { loss = 0.02 }").conditions().get(0).conditions().toString());
  }

  @Test
  @DisplayName("conditions: network-wide, per host and direction, per directed pair, between two")
  void conditionScopes() {
    Scenario s =
        read(
            "conditions = [ { delay = 1ms }, { host = a, direction = ingress, loss = 1% },"
                + " { host = \"10.0.0.3\", direction = egress, rate = 1Mbit },"
                + " { from = a, to = c, delay = 300ms }, { between = [b, c], queue = 10 } ]");
    List<Scope> scopes = s.conditions().stream().map(ConditionBlock::scope).toList();
    assertEquals(
        List.of(
            new Scope.Everywhere(),
            new Scope.Port("a", Direction.INGRESS),
            new Scope.Port("b", Direction.EGRESS),
            new Scope.Pair("a", "c"),
            new Scope.Pair("b", "c"),
            new Scope.Pair("c", "b")),
        scopes);
    assertEquals(
        "b egress (frames to b): " + LinkConditions.none().rate(1_000_000L),
        s.conditions().get(2).describe());
  }

  @Test
  @DisplayName("traffic: iperf by size or time and ping, with every key and the defaults")
  void traffic() {
    Scenario s =
        read(
            "expect = failure\n"
                + "traffic = [\n"
                + " { type = iperf, name = up, from = a, to = b, size = 512K, start = 1s, port = 6000,"
                + "   write-size = 1K, timeout = 20s, expect = success }\n"
                + " { type = iperf, from = b, to = a, time = 3s }\n"
                + " { type = ping, name = p, from = a, to = c, count = 5, interval = 200ms,"
                + "   size = 100, wait = 2s, start = 500ms }\n"
                + " { type = ping, from = c, to = a } ]");
    assertEquals(
        new ScenarioTraffic.Iperf(
            "up",
            "a",
            "b",
            Duration.ofSeconds(1),
            512 * 1024,
            null,
            6000,
            1024,
            Duration.ofSeconds(20),
            false),
        s.traffic().get(0));
    assertEquals(
        new ScenarioTraffic.Iperf(
            "iperf-2",
            "b",
            "a",
            Duration.ZERO,
            0,
            Duration.ofSeconds(3),
            ScenarioReader.FIRST_PORT + 1,
            ScenarioReader.DEFAULT_WRITE_SIZE,
            Duration.ofSeconds(33),
            true),
        s.traffic().get(1));
    assertEquals(
        new ScenarioTraffic.Ping(
            "p",
            "a",
            "c",
            Duration.ofMillis(500),
            5,
            Duration.ofMillis(200),
            100,
            Duration.ofSeconds(2),
            true),
        s.traffic().get(2));
    assertEquals(
        new ScenarioTraffic.Ping(
            "ping-4",
            "c",
            "a",
            Duration.ZERO,
            10,
            Duration.ofSeconds(1),
            56,
            Duration.ofSeconds(1),
            true),
        s.traffic().get(3));
  }

  @Test
  @DisplayName("schedule: every action, sorted by time, same-time changes in file order")
  void schedule() {
    Scenario s =
        read(
            "schedule = [\n"
                + " { at = 5s, cut = [a, b] }\n"
                + " { at = 10s, heal = [a, b] }\n"
                + " { at = 1s, cut-one-way = [b, c] }\n"
                + " { at = 1s, isolate = c }\n"
                + " { at = 2s, rejoin = c }\n"
                + " { at = 11s, heal-all = true }\n"
                + " { at = 2s, hold = [a, c] }\n"
                + " { at = 2500ms, release = [a, c] }\n"
                + " { at = 4s, crash = b }\n"
                + " { at = 6s, restart = b }\n"
                + " { at = 3s, set-conditions { loss = 5% } }\n"
                + " { at = 3s, set-conditions = [ { from = a, to = b, delay = 1ms } ] } ]");
    List<String> described = s.schedule().stream().map(ScheduledChange::describe).toList();
    assertEquals(
        List.of(
            "cut-one-way b -> c",
            "isolate c",
            "rejoin c",
            "hold a -> c",
            "release a -> c",
            "set-conditions everywhere: " + LinkConditions.none().loss(0.05),
            "set-conditions a -> b: " + LinkConditions.none().delay(Duration.ofMillis(1)),
            "crash b",
            "cut a <-> b",
            "restart b",
            "heal a <-> b",
            "heal-all"),
        described);
    assertEquals(new Change.Crash("b"), s.schedule().get(7).change());
    assertEquals(Duration.ofMillis(2500), s.schedule().get(4).at());
    assertEquals("cut a <-> b", s.schedule().get(8).describe());
  }

  @Test
  @DisplayName("a flap expands into cuts every period, each healed after 'down'")
  void flap() {
    Scenario s =
        read(
            "schedule = [ { every = 2s, from = 1s, until = 7s, flap = [a, b], down = 500ms },"
                + " { at = 4s, cut = [b, c] } ]");
    List<String> described = s.schedule().stream().map(c -> c.at() + " " + c.describe()).toList();
    assertEquals(
        List.of(
            "PT1S cut a <-> b (flap 1/3)",
            "PT1.5S heal a <-> b (flap 1/3)",
            "PT3S cut a <-> b (flap 2/3)",
            "PT3.5S heal a <-> b (flap 2/3)",
            "PT4S cut b <-> c",
            "PT5S cut a <-> b (flap 3/3)",
            "PT5.5S heal a <-> b (flap 3/3)"),
        described);
    assertEquals(
        Duration.ofSeconds(2),
        read("schedule = [ { every = 4s, until = 4s, flap = [a, b] } ]").schedule().get(1).at());
  }

  @Test
  @DisplayName("nemesis: every key as written, and the defaults when a key is left out")
  void nemesis() {
    ScenarioNemesis n =
        read("nemesis { mode = isolate-single, tick = 50ms, partition-probability = 10%,"
                + " heal-probability = 0.5, partition-stability = 300ms, heal-stability = 2s,"
                + " asymmetric-probability = 30%, from = 2s, until = 20s,"
                + " hosts = [c, \"10.0.0.2\"] }")
            .nemesis()
            .orElseThrow();
    assertEquals(
        Nemesis.of(NemesisMode.ISOLATE_SINGLE)
            .withTick(Duration.ofMillis(50))
            .withPartitionProbability(0.1)
            .withHealProbability(0.5)
            .withPartitionStability(Duration.ofMillis(300))
            .withHealStability(Duration.ofSeconds(2))
            .withAsymmetricProbability(0.3),
        n.nemesis());
    assertEquals(List.of("c", "a"), n.hosts());
    assertEquals(Duration.ofSeconds(2), n.from());
    assertEquals(Optional.of(Duration.ofSeconds(20)), n.until());
    assertEquals(
        "isolate-single on c, a, from 2s until 20s: tick 50ms, partition 10% after 2s healed,"
            + " heal 50% after 300ms partitioned, 30% one way",
        n.describe());

    ScenarioNemesis defaults = read("nemesis { mode = uniform-partition }").nemesis().orElseThrow();
    assertEquals(Nemesis.of(NemesisMode.UNIFORM_PARTITION), defaults.nemesis());
    assertEquals(List.of(), defaults.hosts());
    assertEquals(Duration.ZERO, defaults.from());
    assertEquals(Optional.empty(), defaults.until());
    assertEquals(
        NemesisMode.UNIFORM_SIZE, read("nemesis {}").nemesis().orElseThrow().nemesis().mode());
    assertTrue(read("").nemesis().isEmpty());
  }

  static Stream<Arguments> mistakes() {
    return Stream.of(
        Arguments.of(
            "conditions { loss = 150% }",
            "scenario.conditions.loss = 150% (line", "more than 100%"),
        Arguments.of("conditions { los = 1% }", "scenario.conditions.los", "unknown key 'los'"),
        Arguments.of(
            "conditions { delay = 50 }", "scenario.conditions.delay = 50", "not a duration"),
        Arguments.of("conditions { rate = fast }", "scenario.conditions.rate = fast", "not a rate"),
        Arguments.of(
            "conditions { jitter = 5ms }", "scenario.conditions (line", "jitter needs delay"),
        Arguments.of(
            "conditions { loss = 1%, loss-model = \"ge:1%\" }",
            "scenario.conditions", "give either loss or loss-model"),
        Arguments.of(
            "conditions { loss-model = \"ge:2,1\" }",
            "scenario.conditions.loss-model = ge:2,1",
            "bad probability"),
        Arguments.of("conditions { queue = 0 }", "scenario.conditions.queue = 0", "less than 1"),
        Arguments.of(
            "conditions { slot { min = 2ms, maxx = 3ms } }",
            "scenario.conditions.slot.maxx",
            "unknown key"),
        Arguments.of(
            "conditions { host = a, loss = 1% }", "scenario.conditions", "missing key 'direction'"),
        Arguments.of(
            "conditions { host = a, direction = up }",
            "scenario.conditions.direction = up",
            "not a direction"),
        Arguments.of(
            "conditions { host = zed, direction = ingress }",
            "scenario.conditions.host = zed",
            "no host 'zed'; hosts: a, b, c"),
        Arguments.of(
            "conditions { host = a, direction = egress, from = a, to = b }",
            "scenario.conditions",
            "give one scope"),
        Arguments.of("conditions { between = [a] }", "scenario.conditions.between", "two hosts"),
        Arguments.of("conditions { between = [a, a] }", "scenario.conditions.between", "same host"),
        Arguments.of(
            "traffic = [ { type = iperf, from = a, to = b } ]", "scenario.traffic[0]", "size"),
        Arguments.of(
            "traffic = [ { type = iperf, from = a, to = b, size = 1M, time = 1s } ]",
            "scenario.traffic[0]",
            "give either size"),
        Arguments.of(
            "traffic = [ { type = udp, from = a, to = b } ]",
            "scenario.traffic[0].type = udp",
            "expected iperf or ping"),
        Arguments.of(
            "traffic = [ { type = iperf, from = a, to = a, size = 1M } ]",
            "scenario.traffic[0].to = a",
            "same host"),
        Arguments.of(
            "traffic = [ { type = iperf, from = a, to = b, size = lots } ]",
            "scenario.traffic[0].size = lots",
            "not a size"),
        Arguments.of(
            "traffic = [ { type = iperf, from = a, to = b, size = 1M, expect = maybe } ]",
            "scenario.traffic[0].expect = maybe",
            "success or failure"),
        Arguments.of(
            "traffic = [ { type = ping, from = a, to = b, count = 0 } ]",
            "scenario.traffic[0].count = 0",
            "less than 1"),
        Arguments.of(
            "traffic = [ { type = ping, from = a, to = b, sise = 10 } ]",
            "scenario.traffic[0].sise",
            "unknown key 'sise'"),
        Arguments.of(
            "traffic = [ { type = iperf, from = a, to = b, size = 1M, port = 7 },"
                + " { type = iperf, from = c, to = b, size = 1M, port = 7 } ]",
            "scenario.traffic",
            "two iperf entries listen on b port 7"),
        Arguments.of("schedule = [ { at = 1s } ]", "scenario.schedule[0]", "no action"),
        Arguments.of(
            "schedule = [ { at = 1s, cut = [a, b], heal = [a, b] } ]",
            "scenario.schedule[0]",
            "more than one action"),
        Arguments.of("schedule = [ { cut = [a, b] } ]", "scenario.schedule[0]", "missing key 'at'"),
        Arguments.of(
            "schedule = [ { at = soon, cut = [a, b] } ]",
            "scenario.schedule[0].at = soon",
            "not a duration"),
        Arguments.of(
            "schedule = [ { at = 1s, cut = a } ]",
            "scenario.schedule[0].cut = a",
            "expected a list"),
        Arguments.of(
            "schedule = [ { at = 1s, crash = q } ]",
            "scenario.schedule[0].crash = q",
            "no host 'q'"),
        Arguments.of(
            "schedule = [ { at = 1s, restart = b } ]",
            "scenario.schedule[0].restart = b",
            "not crashed"),
        Arguments.of(
            "schedule = [ { at = 1s, crash = b }, { at = 2s, crash = b } ]",
            "scenario.schedule[1].crash = b",
            "already crashed"),
        Arguments.of(
            "schedule = [ { at = 1s, heal-all = false } ]",
            "scenario.schedule[0].heal-all = false",
            "heal-all = true"),
        Arguments.of(
            "schedule = [ { at = 1s, set-conditions { loss = 2 } } ]",
            "scenario.schedule[0].set-conditions.loss = 2",
            "more than 1"),
        Arguments.of(
            "schedule = [ { every = 1s, until = 5s, flap = [a, b], down = 1s } ]",
            "scenario.schedule[0].down = 1s",
            "shorter than 'every'"),
        Arguments.of(
            "schedule = [ { every = 1s, from = 5s, until = 5s, flap = [a, b] } ]",
            "scenario.schedule[0].until = 5s",
            "after 'from'"),
        Arguments.of(
            "schedule = [ { every = 1s, until = 5s, flap = [a, b], at = 1s } ]",
            "scenario.schedule[0].at",
            "unknown key 'at'"),
        Arguments.of(
            "nemesis { mode = chaos }", "scenario.nemesis.mode = chaos", "not a nemesis mode"),
        Arguments.of(
            "nemesis { from = 5s, until = 5s }", "scenario.nemesis.until = 5s", "after 'from'"),
        Arguments.of("nemesis { hosts = [a] }", "scenario.nemesis.hosts", "at least two hosts"),
        Arguments.of("nemesis { hosts = [a, q] }", "scenario.nemesis.hosts", "no host 'q'"),
        Arguments.of("nemesis { hosts = [a, b, a] }", "scenario.nemesis.hosts", "host 'a' twice"),
        Arguments.of("nemesis { tick = 0 }", "scenario.nemesis.tick = 0", "more than zero"),
        Arguments.of(
            "nemesis { heal-probability = 2 }",
            "scenario.nemesis.heal-probability = 2",
            "more than 1"),
        Arguments.of(
            "nemesis { partition-chance = 1% }",
            "scenario.nemesis.partition-chance", "unknown key 'partition-chance'"),
        Arguments.of("expect = often", "scenario.expect = often", "success or failure"),
        Arguments.of("sedd = 4", "scenario.sedd", "unknown key 'sedd'"),
        Arguments.of("seed = x4", "scenario.seed = x4", "not a seed"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mistakes")
  @DisplayName("a mistake names the file, the key, the line and the value")
  void mistakes(String body, String where, String why) {
    String message = error(body);
    assertTrue(message.startsWith("bad scenario test.conf: scenario."), message);
    assertEquals(message.indexOf("bad scenario"), message.lastIndexOf("bad scenario"), message);
    assertTrue(message.contains(where), message);
    assertTrue(message.contains(why), message);
  }

  @Test
  @DisplayName("hosts: fewer than two, two of one name, a bad CIDR")
  void badHosts() {
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    ScenarioReader.read(
                        ConfigFactory.parseString(
                            "scenario { hosts = [ { name = a, cidr = \"10.0.0.2/24\" } ] }"),
                        "f"))
            .getMessage()
            .contains("at least two hosts, has 1"));
    String twice =
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    ScenarioReader.read(
                        ConfigFactory.parseString(
                            "scenario { hosts = [ { name = a, cidr = \"10.0.0.2/24\" },"
                                + " { name = a, cidr = \"10.0.0.3/24\" } ] }"),
                        "f"))
            .getMessage();
    assertTrue(twice.contains("scenario.hosts[1].name = a") && twice.contains("two hosts"), twice);
    String cidr =
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    ScenarioReader.read(
                        ConfigFactory.parseString(
                            "scenario { hosts = [ { cidr = \"10.0.0.2/33\" },"
                                + " { cidr = \"10.0.0.3/24\" } ] }"),
                        "f"))
            .getMessage();
    assertTrue(cidr.contains("scenario.hosts[0].cidr = 10.0.0.2/33"), cidr);
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> ScenarioReader.read(ConfigFactory.parseString("hosts = []"), "f"))
            .getMessage()
            .contains("no 'scenario { ... }' section"));
  }

  @Test
  @DisplayName("a file that is not HOCON, or missing, is named")
  void badFiles(@TempDir Path dir) throws Exception {
    Path broken = dir.resolve("broken.conf");
    Files.writeString(broken, "scenario { hosts = [ ");
    String message =
        assertThrows(IllegalArgumentException.class, () -> Scenario.fromFile(broken)).getMessage();
    assertTrue(message.startsWith("bad scenario " + broken), message);
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> Scenario.fromFile(dir.resolve("no")))
            .getMessage()
            .contains("does not exist"));
  }

  @Test
  @DisplayName("the shipped scenarios and the built-in one read cleanly")
  void shippedScenarios() throws Exception {
    assertEquals(3, Scenario.builtIn().hosts().size());
    try (Stream<Path> files = Files.list(Path.of("conf", "scenarios"))) {
      List<Path> all = files.filter(f -> f.toString().endsWith(".conf")).toList();
      assertFalse(all.isEmpty());
      for (Path f : all) {
        Scenario s = Scenario.fromFile(f);
        assertFalse(s.hosts().isEmpty(), f.toString());
      }
    }
  }
}
