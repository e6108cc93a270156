package dev.vnetif;

import static dev.vnetif.testsupport.TcpTestSupport.await;
import static dev.vnetif.testsupport.TcpTestSupport.awaitCondition;
import static dev.vnetif.testsupport.TcpTestSupport.endpoint;
import static dev.vnetif.testsupport.TcpTestSupport.randomBytes;
import static dev.vnetif.testsupport.TcpTestSupport.readAll;
import static dev.vnetif.testsupport.TcpTestSupport.sha256Hex;
import static dev.vnetif.testsupport.TcpTestSupport.writeAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.testsupport.TcpTestSupport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A running nemesis on a real network, in real time with fast ticks: its events replay from the
 * seed, its cuts really drop frames (and only across its sides, in its directions), its stop heals
 * exactly its own cuts, TCP gets through it intact, and no order of stops and shutdowns upsets it.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NemesisRunTest {
  static final long SEED = 424242;
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** Long enough for a datagram to cross an idle network many times over. */
  static final Duration QUIET = Duration.ofMillis(300);

  static final Duration TICK = Duration.ofMillis(10);

  /** Partitions at the first tick and never heals by itself: the cut holds until stop(). */
  static final Nemesis AT_ONCE_UNTIL_STOP =
      Nemesis.of(NemesisMode.UNIFORM_SIZE)
          .withTick(TICK)
          .withPartitionProbability(1)
          .withHealProbability(0)
          .withHealStability(Duration.ZERO);

  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  final List<VirtualNetwork> networks = new ArrayList<>();

  /** What each host received on UDP port 7: the names of the senders. */
  final Map<String, LinkedBlockingQueue<String>> inbox = new LinkedHashMap<>();

  @AfterEach
  void shutdown() {
    for (VirtualNetwork net : networks) {
      await(net.shutdown(), TIMEOUT, "shutdown of " + net);
    }
    networks.clear();
    inbox.clear();
  }

  VirtualNetwork network(long seed) {
    NetworkConfig base = NetworkConfig.fromConfig(testKit.system().settings().config());
    VirtualNetwork net = VirtualNetwork.create(testKit.system(), base.withSeed(seed));
    networks.add(net);
    return net;
  }

  /** {@code n} hosts h1, h2, ... each listening on UDP port 7, with ARP resolved between all. */
  List<Stack> hosts(VirtualNetwork net, int n) {
    List<Stack> hosts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StackConfig config = StackConfig.of("10.0.0." + (2 + i) + "/24").withName("h" + (i + 1));
      Stack host = await(net.createStack(config), TIMEOUT, "host " + config.name());
      LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
      host.udp().listen(7, d -> queue.add(d.payload().utf8String()));
      inbox.put(host.name(), queue);
      hosts.add(host);
    }
    for (Stack from : hosts) {
      for (Stack to : hosts) {
        if (from != to) {
          await(from.ping(to.address(), TIMEOUT), TIMEOUT, "ping " + from + " -> " + to);
        }
      }
    }
    return hosts;
  }

  /**
   * Sends one datagram along every directed pair and returns the pairs it crossed ({@code
   * "h1->h2"}), once nothing more has arrived for {@link #QUIET}.
   */
  Set<String> delivered(List<Stack> hosts) throws InterruptedException {
    for (Stack from : hosts) {
      for (Stack to : hosts) {
        if (from != to) {
          await(
              from.udp()
                  .send(new InetSocketAddress(to.address(), 7), ByteString.fromString(from.name())),
              TIMEOUT,
              "send " + from.name() + " -> " + to.name());
        }
      }
    }
    Set<String> pairs = new HashSet<>();
    boolean arrived = true;
    while (arrived) {
      arrived = false;
      long quietUntil = System.nanoTime() + QUIET.toNanos();
      for (Map.Entry<String, LinkedBlockingQueue<String>> e : inbox.entrySet()) {
        long left = Math.max(0, quietUntil - System.nanoTime());
        String from = e.getValue().poll(left, TimeUnit.NANOSECONDS);
        if (from != null) {
          pairs.add(from + "->" + e.getKey());
          arrived = true;
        }
      }
    }
    return pairs;
  }

  /** Every directed pair of {@code hosts}, minus those the partition {@code e} cuts. */
  static Set<String> reachableUnder(List<Stack> hosts, NemesisEvent e) {
    Set<String> pairs = new HashSet<>();
    for (Stack from : hosts) {
      for (Stack to : hosts) {
        if (from == to) {
          continue;
        }
        boolean aToB = e.sideA().contains(from.name()) && e.sideB().contains(to.name());
        boolean bToA = e.sideB().contains(from.name()) && e.sideA().contains(to.name());
        boolean cut =
            (aToB && e.cut() != NemesisEvent.Cut.B_TO_A)
                || (bToA && e.cut() != NemesisEvent.Cut.A_TO_B);
        if (!cut) {
          pairs.add(from.name() + "->" + to.name());
        }
      }
    }
    return pairs;
  }

  static long cutDrops(VirtualNetwork net) {
    return await(net.conditionStats(), TIMEOUT, "condition stats").links().stream()
        .flatMap(l -> l.steps().stream())
        .filter(s -> s.step().equals("cut"))
        .mapToLong(ConditionStats.StepStats::dropped)
        .sum();
  }

  static NemesisEvent firstEvent(NemesisRun run) {
    awaitCondition(() -> !run.events().isEmpty(), TIMEOUT, () -> run + " to partition");
    return run.events().get(0);
  }

  /** An event without its measured time: what must replay exactly from the seed. */
  record Drawn(
      long tick,
      NemesisEvent.Action action,
      List<String> sideA,
      List<String> sideB,
      NemesisEvent.Cut cut) {
    static Drawn of(NemesisEvent e) {
      return new Drawn(e.tick(), e.action(), e.sideA(), e.sideB(), e.cut());
    }
  }

  /** The first {@code count} events of a fresh run on a fresh network seeded {@code seed}. */
  List<Drawn> firstEvents(long seed, int count, int runs) {
    VirtualNetwork net = network(seed);
    List<Stack> hosts = hosts(net, 4);
    Nemesis busy =
        Nemesis.of(NemesisMode.UNIFORM_SIZE)
            .withTick(TICK)
            .withPartitionProbability(0.5)
            .withHealProbability(0.5)
            .withPartitionStability(Duration.ZERO)
            .withHealStability(Duration.ZERO)
            .withAsymmetricProbability(0.3);
    NemesisRun run = null;
    for (int i = 0; i < runs; i++) {
      run = await(net.startNemesis(busy), TIMEOUT, "start");
      if (i < runs - 1) {
        await(run.stop(), TIMEOUT, "stop of an earlier run");
      }
    }
    NemesisRun last = run;
    assertEquals(hosts.stream().map(Stack::name).toList(), last.hosts());
    awaitCondition(
        () -> last.events().size() >= count,
        Duration.ofSeconds(10),
        () -> count + " events, seed " + seed + ", have " + last.events());
    await(last.stop(), TIMEOUT, "stop");
    List<NemesisEvent> events = last.events();
    long previous = -1;
    for (NemesisEvent e : events) {
      assertTrue(e.at().toNanos() >= previous, "seed " + seed + ": times in order: " + events);
      assertTrue(
          e.at().compareTo(TICK.multipliedBy(e.tick()).dividedBy(2)) >= 0,
          "seed " + seed + ": tick " + e.tick() + " at " + e.at());
      previous = e.at().toNanos();
    }
    return events.subList(0, count).stream().map(Drawn::of).toList();
  }

  @Test
  @DisplayName("the same seed replays the same events tick for tick; another seed or run differs")
  void sameSeedSameEvents() {
    List<Drawn> first = firstEvents(SEED, 12, 1);
    List<Drawn> again = firstEvents(SEED, 12, 1);
    List<Drawn> otherSeed = firstEvents(SEED + 1, 12, 1);
    List<Drawn> secondRun = firstEvents(SEED, 12, 2);
    System.out.println("nemesis seed " + SEED + ": " + first);
    assertEquals(first, again, "seed " + SEED);
    assertNotEquals(first, otherSeed, "seeds " + SEED + " and " + (SEED + 1));
    assertNotEquals(first, secondRun, "seed " + SEED + ": nemesis-0 and nemesis-1");
    assertEquals(secondRun, firstEvents(SEED, 12, 2), "seed " + SEED + ": nemesis-1 replays");
  }

  @Test
  @DisplayName("a partition drops frames across its sides, both ways, and none after stop()")
  void cutsDropFramesAcrossTheSidesUntilStop() throws Exception {
    VirtualNetwork net = network(SEED);
    List<Stack> hosts = hosts(net, 4);
    NemesisRun run = await(net.startNemesis(AT_ONCE_UNTIL_STOP), TIMEOUT, "start");
    NemesisEvent partition = firstEvent(run);
    assertEquals(NemesisEvent.Action.PARTITION, partition.action(), "seed " + SEED);
    assertEquals(NemesisEvent.Cut.BOTH_WAYS, partition.cut(), "seed " + SEED);
    Set<String> expected = reachableUnder(hosts, partition);
    int cutPairs = 4 * 3 - expected.size();
    assertEquals(2 * partition.sideA().size() * partition.sideB().size(), cutPairs);
    long dropsBefore = cutDrops(net);
    assertEquals(expected, delivered(hosts), "seed " + SEED + ", under " + partition.describe());
    assertEquals(cutPairs, cutDrops(net) - dropsBefore, "one drop per datagram across the cut");

    await(run.stop(), TIMEOUT, "stop");
    assertEquals(allPairs(hosts), delivered(hosts), "seed " + SEED);
    assertEquals(NemesisEvent.Action.HEAL, run.events().get(1).action());
    assertEquals(2, run.events().size(), "seed " + SEED + ": " + run.events());
  }

  @Test
  @DisplayName("a one-way partition drops frames in its direction only")
  void oneWayPartitionCutsOnlyItsDirection() throws Exception {
    VirtualNetwork net = network(SEED);
    List<Stack> hosts = hosts(net, 3);
    NemesisRun run =
        await(
            net.startNemesis(
                AT_ONCE_UNTIL_STOP
                    .withMode(NemesisMode.ISOLATE_SINGLE)
                    .withAsymmetricProbability(1)),
            TIMEOUT,
            "start");
    NemesisEvent partition = firstEvent(run);
    assertNotEquals(NemesisEvent.Cut.BOTH_WAYS, partition.cut(), "seed " + SEED);
    assertEquals(1, partition.sideA().size());
    assertEquals(partition.sideA().get(0), partition.isolated().orElseThrow());
    Set<String> expected = reachableUnder(hosts, partition);
    assertEquals(4, expected.size(), "two of the six directions cut: " + partition.describe());
    assertEquals(expected, delivered(hosts), "seed " + SEED + ", under " + partition.describe());
    await(run.stop(), TIMEOUT, "stop");
    assertEquals(6, delivered(hosts).size(), "seed " + SEED + ": all six directions after stop");
  }

  @Test
  @DisplayName("each heals only its own cuts: stop() leaves the user's, heal() the nemesis's")
  void stopHealsOnlyItsOwnCuts() throws Exception {
    VirtualNetwork net = network(SEED);
    List<Stack> hosts = hosts(net, 4);
    Stack h1 = hosts.get(0);
    Stack h2 = hosts.get(1);
    // A user's one-way cut from before the run, which the nemesis may or may not cut too.
    await(net.partitionOneWay(h1, h2), TIMEOUT, "user cut h1 -> h2");
    NemesisRun run =
        await(
            net.startNemesis(AT_ONCE_UNTIL_STOP.withMode(NemesisMode.ISOLATE_SINGLE)),
            TIMEOUT,
            "start");
    NemesisEvent partition = firstEvent(run);
    // And a user's cut made during the run on a pair the nemesis has cut too.
    Stack isolated = byName(hosts, partition.isolated().orElseThrow());
    Stack other = byName(hosts, partition.sideB().get(0));
    await(net.partition(isolated, other), TIMEOUT, "user cut on the nemesis's pair");
    // The user's heal of a pair only the nemesis cut mends nothing: the cut is not the user's.
    Stack third = byName(hosts, partition.sideB().get(1));
    await(net.heal(isolated, third), TIMEOUT, "user heal of the nemesis's pair");
    Set<String> during = reachableUnder(hosts, partition);
    during.remove("h1->h2");
    assertEquals(during, delivered(hosts), "seed " + SEED + ", under " + partition.describe());

    await(run.stop(), TIMEOUT, "stop");
    Set<String> expected = allPairs(hosts);
    expected.remove("h1->h2");
    expected.remove(isolated.name() + "->" + other.name());
    expected.remove(other.name() + "->" + isolated.name());
    assertEquals(
        expected,
        delivered(hosts),
        "seed " + SEED + ": after healing " + partition.describe() + ", the user's cuts stay");

    await(net.heal(isolated, other), TIMEOUT, "user heal");
    await(net.heal(h1, h2), TIMEOUT, "user heal");
    assertEquals(12, delivered(hosts).size(), "seed " + SEED + ": the user's heals mend the rest");
  }

  @Test
  @DisplayName("1 MiB over TCP arrives intact through an aggressive nemesis, then its stop()")
  void transferSurvivesAnAggressiveNemesis() {
    VirtualNetwork net = network(SEED);
    Stack a = await(net.createStack("10.0.0.2/24"), TIMEOUT, "host a");
    Stack b = await(net.createStack("10.0.0.3/24"), TIMEOUT, "host b");
    // A 16 Mbit/s link with a queue: losses come from the cuts, not from the stack outrunning it.
    await(
        net.setConditions(LinkConditions.none().rate(16_000_000).queueLimit(100)),
        TIMEOUT,
        "conditions");
    byte[] data = randomBytes(SEED, 1 << 20);
    CompletableFuture<TcpTestSupport.ReadSummary> received = new CompletableFuture<>();
    b.tcp()
        .listen(
            80,
            flow ->
                readAll(flow)
                    .whenComplete(
                        (s, e) -> {
                          if (e != null) {
                            received.completeExceptionally(e);
                          } else {
                            received.complete(s);
                          }
                        }));
    TcpFlow client = await(a.tcp().createConnection(endpoint(b, 80)), TIMEOUT, "connect");
    Nemesis aggressive =
        Nemesis.of(NemesisMode.UNIFORM_SIZE)
            .withTick(Duration.ofMillis(20))
            .withPartitionProbability(0.3)
            .withHealProbability(0.3)
            .withPartitionStability(Duration.ofMillis(100))
            .withHealStability(Duration.ofMillis(100))
            .withAsymmetricProbability(0.3);
    NemesisRun run = await(net.startNemesis(aggressive, List.of(a, b)), TIMEOUT, "start");
    // The writes begin inside the first partition: the nemesis bites however fast the link is.
    firstEvent(run);
    CompletionStage<?> sent =
        writeAll(client, data, 64 * 1024).thenCompose(w -> client.shutdown(ShutdownMode.WRITE));
    awaitCondition(
        () -> partitions(run) >= 3 || received.isDone(),
        Duration.ofSeconds(10),
        () -> "three partitions, seed " + SEED + ": " + run.events());
    await(run.stop(), TIMEOUT, "stop");
    await(sent, Duration.ofSeconds(30), "the writes, seed " + SEED);
    TcpTestSupport.ReadSummary got = await(received, Duration.ofSeconds(30), "the reader");
    System.out.printf(
        "nemesis seed %d: 1 MiB through %d partitions, %s%n",
        SEED, partitions(run), client.stats());
    assertEquals(data.length, got.bytes(), "seed " + SEED);
    assertEquals(sha256Hex(data), got.hex(), "seed " + SEED + ": SHA-256 of what arrived");
    assertTrue(partitions(run) >= 1, "seed " + SEED + ": " + run.events());
    assertTrue(cutDrops(net) > 0, "seed " + SEED + ": the nemesis dropped frames of the transfer");
    assertTrue(client.stats().retransmits() > 0, "seed " + SEED + ": " + client.stats());
  }

  @Test
  @DisplayName("stop twice, stop before the first tick, stop after a shutdown: all complete")
  void stopsInAnyOrder() {
    VirtualNetwork net = network(SEED);
    hosts(net, 3);
    NemesisRun idle =
        await(net.startNemesis(AT_ONCE_UNTIL_STOP.withTick(Duration.ofHours(1))), TIMEOUT, "start");
    await(idle.stop(), TIMEOUT, "stop before the first tick");
    await(idle.stop(), TIMEOUT, "stop again");
    assertEquals(List.of(), idle.events());

    NemesisRun stuck = await(net.startNemesis(AT_ONCE_UNTIL_STOP), TIMEOUT, "start");
    firstEvent(stuck);
    CompletionStage<Done> first = stuck.stop();
    CompletionStage<Done> second = stuck.stop();
    await(first, TIMEOUT, "first stop");
    await(second, TIMEOUT, "second stop");
    List<NemesisEvent> events = stuck.events();
    assertEquals(
        List.of(NemesisEvent.Action.PARTITION, NemesisEvent.Action.HEAL),
        events.stream().map(NemesisEvent::action).toList());
    await(stuck.stop(), TIMEOUT, "a stop long after");
    assertEquals(events, stuck.events(), "the events are final once stopped");

    NemesisRun running = await(net.startNemesis(AT_ONCE_UNTIL_STOP), TIMEOUT, "start");
    firstEvent(running);
    await(net.shutdown(), TIMEOUT, "shutdown");
    await(running.stop(), TIMEOUT, "stop after the network is gone");
    assertThrows(IllegalStateException.class, () -> net.startNemesis(AT_ONCE_UNTIL_STOP));
  }

  @Test
  @DisplayName("by default it acts on the attached stacks in creation order; it needs two")
  void defaultHostsAreTheAttachedStacks() {
    VirtualNetwork net = network(SEED);
    Stack h1 = await(net.createStack(StackConfig.of("10.0.0.2/24").withName("h1")), TIMEOUT, "h1");
    assertThrows(
        IllegalArgumentException.class, () -> net.startNemesis(AT_ONCE_UNTIL_STOP), "one stack");
    await(net.createStack(StackConfig.of("10.0.0.3/24").withName("h2")), TIMEOUT, "h2");
    Stack h3 = await(net.createStack(StackConfig.of("10.0.0.4/24").withName("h3")), TIMEOUT, "h3");
    await(h3.crash(), TIMEOUT, "crash h3");
    NemesisRun run = await(net.startNemesis(AT_ONCE_UNTIL_STOP), TIMEOUT, "start");
    assertEquals(List.of("h1", "h2"), run.hosts());
    assertEquals("nemesis-0", run.name());
    await(run.stop(), TIMEOUT, "stop");
    Stack h3Again = await(net.restart(h3), TIMEOUT, "restart h3");
    NemesisRun explicit =
        await(net.startNemesis(AT_ONCE_UNTIL_STOP, List.of(h1, h3Again)), TIMEOUT, "start");
    assertEquals(List.of("h1", "h3"), explicit.hosts());
    assertEquals("nemesis-1", explicit.name());
    await(explicit.stop(), TIMEOUT, "stop");
  }

  /** Every directed pair: what is reachable with no cut. */
  static Set<String> allPairs(List<Stack> hosts) {
    Set<String> pairs = new HashSet<>();
    for (Stack from : hosts) {
      for (Stack to : hosts) {
        if (from != to) {
          pairs.add(from.name() + "->" + to.name());
        }
      }
    }
    return pairs;
  }

  static long partitions(NemesisRun run) {
    return run.events().stream().filter(e -> e.action() == NemesisEvent.Action.PARTITION).count();
  }

  static Stack byName(List<Stack> hosts, String name) {
    return hosts.stream().filter(h -> h.name().equals(name)).findFirst().orElseThrow();
  }
}
