package dev.vnetif;

import dev.vnetif.link.NetworkClock;
import dev.vnetif.link.SwitchActor;
import dev.vnetif.link.SwitchCommand;
import dev.vnetif.link.SwitchSettings;
import dev.vnetif.link.SwitchStats;
import dev.vnetif.stack.HostCommand;
import dev.vnetif.stack.HostCounters;
import dev.vnetif.stack.HostSettings;
import dev.vnetif.stack.HostsGuardian;
import dev.vnetif.stack.StackActor;
import dev.vnetif.time.VirtualTime;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.MacAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A virtual Ethernet network in this JVM: one switch (the vnetif backend) and the hosts attached to
 * it. The entry point of the library — the seed's {@code create_backend} and {@code create_stack}.
 *
 * <pre>{@code
 * VirtualNetwork net = VirtualNetwork.create(system);
 * Stack a = net.createStack("10.0.0.2/24").toCompletableFuture().join();
 * Stack b = net.createStack("10.0.0.3/24").toCompletableFuture().join();
 * a.ping(b.address(), Duration.ofSeconds(1)).toCompletableFuture().join();
 * }</pre>
 *
 * All methods are thread-safe. Several networks may share one actor system.
 */
public final class VirtualNetwork {
  private static final AtomicInteger NETWORKS = new AtomicInteger();
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
  private static final Logger LOG = LoggerFactory.getLogger(VirtualNetwork.class);

  private final ActorSystem<?> system;
  private final NetworkConfig config;
  private final NetworkClock clock;
  private final String id;
  private final Props props;
  private final ActorRef<SwitchCommand> switchRef;
  private final ActorRef<HostsGuardian.Command> hosts;
  private final SplittableRandom hostSeeds;
  private final AtomicLong nextTapId = new AtomicLong(1);
  private final AtomicInteger rawPorts = new AtomicInteger();
  private final Set<Ipv4Address> addressesInUse = ConcurrentHashMap.newKeySet();
  private final Set<PcapRecording> recordings = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean shutDown = new AtomicBoolean();
  private final Map<Ipv4Address, ActorRef<HostCommand>> liveHosts = new ConcurrentHashMap<>();
  private final Supplier<CompletionStage<String>> stallReport = this::openFlowsReport;

  private VirtualNetwork(ActorSystem<?> system, NetworkConfig config) {
    this.system = system;
    this.config = config;
    this.clock = NetworkClocks.of(system);
    this.id = "vnetif-" + NETWORKS.incrementAndGet();
    this.props = DispatcherSelector.fromConfig("vnetif.dispatcher");
    this.hostSeeds = new SplittableRandom(config.seed());
    this.switchRef =
        system.systemActorOf(
            SwitchActor.create(
                new SwitchSettings(
                    config.seed(),
                    config.maxFrameSize(),
                    clock,
                    config.macAgeingTime(),
                    config.macTableLimit()),
                Frame::new),
            id + "-switch",
            props);
    this.hosts = system.systemActorOf(HostsGuardian.create(switchRef, props), id + "-hosts", props);
    // The seed is what replays a run (every MAC, port, ISN and fault is drawn from it), so it is
    // in the log of every run, not only in the CLI's output.
    LOG.info(
        "{} created with seed {} (replay with vnetif.seed = {})", id, config.seed(), config.seed());
    VirtualTime.find(system).ifPresent(time -> time.addStallReport(stallReport));
  }

  /** A network configured from the actor system's {@code vnetif} config section. */
  public static VirtualNetwork create(ActorSystem<?> system) {
    return create(system, NetworkConfig.fromConfig(system.settings().config()));
  }

  public static VirtualNetwork create(ActorSystem<?> system, NetworkConfig config) {
    return new VirtualNetwork(system, config);
  }

  public NetworkConfig config() {
    return config;
  }

  /** A host at {@code cidr} (e.g. {@code "10.0.0.2/24"}) with the network's defaults. */
  public CompletionStage<Stack> createStack(String cidr) {
    return createStack(StackConfig.of(cidr));
  }

  /**
   * Attaches a new host. Completes once it is on the switch and has announced itself with a
   * gratuitous ARP.
   *
   * @throws IllegalArgumentException if another host of this network has the same address
   */
  public CompletionStage<Stack> createStack(StackConfig stackConfig) {
    checkOpen();
    Ipv4Address address = stackConfig.cidr().address();
    if (!addressesInUse.add(address)) {
      throw new IllegalArgumentException(
          "address " + address + " is already used by a host " + "of this network");
    }
    return spawn(hostSettings(config, stackConfig, nextHostSeed(), clock));
  }

  /**
   * Brings a crashed host back ({@link Stack#crash()}): the same name, address and MAC, with fresh
   * state — no flows, no listeners, new initial sequence numbers — as a rebooted machine. Segments
   * of connections it had are answered with RST (RFC 9293 §3.10.7.1), so its peers see {@link
   * ConnectionResetException}. Listeners must be opened again on the new {@link Stack}.
   *
   * @throws IllegalStateException if {@code crashed} has not crashed (or disconnected) yet
   * @throws IllegalArgumentException if its address is in use again
   */
  public CompletionStage<Stack> restart(Stack crashed) {
    checkOpen();
    if (!crashed.isDisconnected()) {
      throw new IllegalStateException(
          "host " + crashed.name() + " has not crashed; crash() it first");
    }
    Ipv4Address address = crashed.settings().address();
    if (!addressesInUse.add(address)) {
      throw new IllegalArgumentException(
          "address " + address + " is already used by a host " + "of this network");
    }
    return spawn(crashed.settings().restarted(nextHostSeed(), crashed.mac()));
  }

  private long nextHostSeed() {
    synchronized (hostSeeds) {
      return hostSeeds.nextLong();
    }
  }

  private CompletionStage<Stack> spawn(HostSettings settings) {
    Ipv4Address address = settings.address();
    HostCounters counters = new HostCounters();
    CompletionStage<StackActor.HostReady> ready =
        Asks.ask(
            hosts,
            replyTo -> new HostsGuardian.SpawnHost(settings, counters, replyTo),
            ASK_TIMEOUT,
            system.scheduler());
    return ready.thenApply(
        r -> {
          liveHosts.put(address, r.host());
          return track(
              new Stack(
                  system,
                  r.host(),
                  settings,
                  r.mac(),
                  r.port(),
                  counters,
                  config.pingPayloadSize(),
                  () -> {
                    liveHosts.remove(address, r.host());
                    addressesInUse.remove(address);
                  }));
        });
  }

  /** What a stalled simulation reports of this network: its connections still open. */
  private CompletionStage<String> openFlowsReport() {
    List<CompletableFuture<List<String>>> asks = new ArrayList<>();
    for (ActorRef<HostCommand> host : liveHosts.values()) {
      asks.add(Asks.ask(host, HostCommand.ListFlows::new, ASK_TIMEOUT, system.scheduler()));
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .thenApply(
            v -> {
              List<String> open = new ArrayList<>();
              asks.forEach(a -> open.addAll(a.join()));
              java.util.Collections.sort(open);
              return id + (open.isEmpty() ? ": no open flows" : ": open flows " + open);
            });
  }

  /** The settings of one host: the stack's own choices over the network's defaults. */
  static HostSettings hostSettings(
      NetworkConfig config, StackConfig stackConfig, long seed, NetworkClock clock) {
    int mtu = stackConfig.mtu().orElse(config.defaultMtu());
    return new HostSettings(
        stackConfig.name(),
        stackConfig.cidr(),
        stackConfig.gateway().orElse(null),
        mtu,
        config.ttl(),
        !stackConfig.checksumOffload().orElse(config.checksumOffload()),
        config.arp(),
        seed,
        clock,
        config.tcp().withMss(mtu - 40), // RFC 9293 §3.7.1
        config.synBacklog(),
        config.ephemeralLow(),
        config.ephemeralHigh());
  }

  /**
   * Adds a listener that sees every frame the switch forwards, in forwarding order, from this call
   * on. It runs on its own actor: a slow listener delays only itself, and one that throws is logged
   * and keeps receiving.
   */
  public TapId addListener(Consumer<Frame> listener) {
    checkOpen();
    long tapId = nextTapId.getAndIncrement();
    switchRef.tell(new SwitchCommand.AddTap(tapId, tapped -> listener.accept(new Frame(tapped))));
    return new TapId(tapId);
  }

  /**
   * Removes a listener. Completes after it has been handed every frame forwarded before this call;
   * it gets none after.
   */
  public CompletionStage<Done> removeListener(TapId id) {
    return Asks.ask(
        switchRef,
        replyTo -> new SwitchCommand.RemoveTap(id.value(), replyTo),
        ASK_TIMEOUT,
        system.scheduler());
  }

  /**
   * Starts writing every forwarded frame to {@code file} (classic libpcap, Ethernet). {@link
   * PcapRecording#stop()} completes when the file is complete and closed.
   *
   * @throws java.io.UncheckedIOException if the file cannot be created
   */
  public PcapRecording recordPcap(Path file) {
    checkOpen();
    PcapRecording recording = new PcapRecording(this, file);
    recordings.add(recording);
    recording.start();
    return recording;
  }

  /**
   * Records to {@code file} while {@code body} runs; the result completes with the body's once the
   * capture is complete on disk (whether the body succeeded or failed).
   */
  public <T> CompletionStage<T> recordPcap(Path file, Supplier<CompletionStage<T>> body) {
    return recordPcap(file).around(body);
  }

  void forget(PcapRecording recording) {
    recordings.remove(recording);
  }

  /** Attaches a port driven by hand (see {@link RawPort}) with a MAC from the seed. */
  public CompletionStage<RawPort> attachRawPort(String name) {
    return attachRawPort(name, null);
  }

  /** Attaches a port driven by hand that announces {@code mac} as its own (may be null). */
  public CompletionStage<RawPort> attachRawPort(String name, MacAddress mac) {
    checkOpen();
    String actorName = id + "-raw-" + rawPorts.incrementAndGet();
    return RawPort.attach(system, switchRef, name, mac, actorName, props, ASK_TIMEOUT);
  }

  /**
   * Attaches an external port: frames to and from something outside the JVM — a TAP device through
   * socat, a QEMU VM — as UDP datagrams (see the README for the commands). Completes once the port
   * is on the switch; fails with {@link java.io.UncheckedIOException} if the local address cannot
   * be bound.
   *
   * @throws IllegalStateException in virtual time: the world outside the JVM runs in real time, and
   *     its frames would enter the simulation at moments no seed decides
   */
  public CompletionStage<ExternalPort> attachExternalPort(ExternalPortConfig portConfig) {
    checkOpen();
    if (VirtualTime.find(system).isPresent()) {
      throw new IllegalStateException(
          "network "
              + id
              + " runs in virtual time; an external port ("
              + portConfig
              + ") exchanges frames with real hosts in real time and cannot join it");
    }
    String actorName = id + "-external-" + rawPorts.incrementAndGet();
    return ExternalPort.attach(system, switchRef, portConfig, actorName, props, ASK_TIMEOUT);
  }

  /** Per-port counters of the switch. */
  public CompletionStage<SwitchStats> switchStats() {
    return Asks.ask(switchRef, SwitchCommand.GetStats::new, ASK_TIMEOUT, system.scheduler());
  }

  // ---------------------------------------------------------------- breaking the network

  /**
   * Applies {@code conditions} to every frame the switch forwards, on its way to each port (each
   * destination port keeps its own state: its own loss bursts, its own rate queue). Replaces the
   * network-wide conditions set before; {@link LinkConditions#none()} removes them. The stage
   * completes once they are in force: frames sent afterwards see them.
   */
  public CompletionStage<Done> setConditions(LinkConditions conditions) {
    return setConditions(new SwitchCommand.LinkScope.Everywhere(), conditions);
  }

  /**
   * Applies {@code conditions} to one side of {@code port}'s link: the frames it sends ({@link
   * Direction#INGRESS}, applied before the switch learns and forwards them) or the frames it
   * receives ({@link Direction#EGRESS}). Works for hosts, raw ports and external ports alike.
   */
  public CompletionStage<Done> setConditions(
      SwitchAttachment port, Direction direction, LinkConditions conditions) {
    Objects.requireNonNull(direction, "direction");
    return setConditions(
        new SwitchCommand.LinkScope.Port(port.switchPort(), direction), conditions);
  }

  /** Applies {@code conditions} to the frames from {@code from} to {@code to} (one direction). */
  public CompletionStage<Done> setConditions(
      SwitchAttachment from, SwitchAttachment to, LinkConditions conditions) {
    return setConditions(
        new SwitchCommand.LinkScope.Pair(from.switchPort(), to.switchPort()), conditions);
  }

  /** Cuts {@code a} and {@code b} apart, both ways; frames between them are dropped and counted. */
  public CompletionStage<Done> partition(SwitchAttachment a, SwitchAttachment b) {
    return cut(a, b, true, true);
  }

  /** Cuts the direction {@code from → to} only; the reverse keeps working. */
  public CompletionStage<Done> partitionOneWay(SwitchAttachment from, SwitchAttachment to) {
    return cut(from, to, false, true);
  }

  /**
   * Mends the cut between {@code a} and {@code b}, both ways (an isolation stays, and so do a
   * running nemesis's cuts: each is mended by the one who made it).
   */
  public CompletionStage<Done> heal(SwitchAttachment a, SwitchAttachment b) {
    return cut(a, b, true, false);
  }

  /** Cuts {@code host} off from every other port, now and ports attached later. */
  public CompletionStage<Done> isolate(SwitchAttachment host) {
    return tellSwitch(r -> new SwitchCommand.Isolate(host.switchPort(), true, r));
  }

  /** Ends the isolation of {@code host}. */
  public CompletionStage<Done> rejoin(SwitchAttachment host) {
    return tellSwitch(r -> new SwitchCommand.Isolate(host.switchPort(), false, r));
  }

  /**
   * Mends every partition and isolation, a running nemesis's too (held links stay held; see {@link
   * #release}).
   */
  public CompletionStage<Done> healAll() {
    return tellSwitch(SwitchCommand.HealAll::new);
  }

  /**
   * Holds the frames from {@code from} to {@code to}: they queue in the switch, in order, until
   * {@link #release}. Nothing is lost: a held link is a very long delay, then a burst.
   */
  public CompletionStage<Done> hold(SwitchAttachment from, SwitchAttachment to) {
    return tellSwitch(r -> new SwitchCommand.Hold(from.switchPort(), to.switchPort(), true, r));
  }

  /** Ends a hold: every queued frame goes on at once, in order, through the pair's conditions. */
  public CompletionStage<Done> release(SwitchAttachment from, SwitchAttachment to) {
    return tellSwitch(r -> new SwitchCommand.Hold(from.switchPort(), to.switchPort(), false, r));
  }

  /** The counters of every condition step, cut and hold: what was dropped, delayed, queued... */
  public CompletionStage<ConditionStats> conditionStats() {
    return Asks.ask(
        switchRef, SwitchCommand.GetConditionStats::new, ASK_TIMEOUT, system.scheduler());
  }

  private CompletionStage<Done> setConditions(
      SwitchCommand.LinkScope scope, LinkConditions conditions) {
    Objects.requireNonNull(conditions, "conditions");
    return tellSwitch(r -> new SwitchCommand.SetConditions(scope, conditions, r));
  }

  private CompletionStage<Done> cut(
      SwitchAttachment from, SwitchAttachment to, boolean bothWays, boolean cut) {
    if (from.switchPort() == to.switchPort()) {
      throw new IllegalArgumentException("cannot cut port " + from.switchPort() + " from itself");
    }
    return tellSwitch(
        r -> new SwitchCommand.Cut(from.switchPort(), to.switchPort(), bothWays, cut, r));
  }

  private CompletionStage<Done> tellSwitch(
      java.util.function.Function<ActorRef<Done>, SwitchCommand> message) {
    checkOpen();
    return Asks.ask(switchRef, message::apply, ASK_TIMEOUT, system.scheduler());
  }

  /**
   * Stops every host and the switch. Running pcap recordings are completed first. Completes once
   * all actors of the network have stopped; calling it again is harmless.
   */
  public CompletionStage<Done> shutdown() {
    if (!shutDown.compareAndSet(false, true)) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    VirtualTime.find(system).ifPresent(time -> time.removeStallReport(stallReport));
    List<CompletableFuture<Done>> flushes = new ArrayList<>();
    for (PcapRecording recording : List.copyOf(recordings)) {
      flushes.add(recording.stop().toCompletableFuture().exceptionally(e -> Done.getInstance()));
    }
    return CompletableFuture.allOf(flushes.toArray(CompletableFuture[]::new))
        .thenCompose(
            v -> Asks.ask(hosts, HostsGuardian.Shutdown::new, ASK_TIMEOUT, system.scheduler()))
        .thenCompose(
            d -> Asks.ask(switchRef, SwitchCommand.Stop::new, ASK_TIMEOUT, system.scheduler()));
  }

  private void checkOpen() {
    if (shutDown.get()) {
      throw new IllegalStateException("network " + id + " is shut down");
    }
  }

  @Override
  public String toString() {
    return "VirtualNetwork[" + id + ", seed " + config.seed() + "]";
  }

  // ---------------------------------------------------------------- the nemesis

  /** The stacks made so far, for a nemesis's default hosts; crashed ones are skipped then. */
  private final Set<Stack> stacks = ConcurrentHashMap.newKeySet();

  private final AtomicInteger nemesisRuns = new AtomicInteger();

  private Stack track(Stack stack) {
    stacks.removeIf(Stack::isDisconnected);
    stacks.add(stack);
    return stack;
  }

  /**
   * Starts a seeded random schedule of partitions among {@code nemesis}'s hosts — by default every
   * stack attached now, in the order they were created. Completes once it runs; see {@link
   * NemesisRun} for what it draws from and how it ends.
   *
   * @throws IllegalArgumentException if it would act on fewer than two hosts
   */
  public CompletionStage<NemesisRun> startNemesis(Nemesis nemesis) {
    return startNemesis(nemesis, nemesis.hosts().orElseGet(this::liveStacks));
  }

  /** Likewise, acting on {@code hosts} (in this order) whatever {@code nemesis} names. */
  public CompletionStage<NemesisRun> startNemesis(
      Nemesis nemesis, List<? extends SwitchAttachment> hosts) {
    checkOpen();
    Nemesis run = nemesis.withHosts(hosts);
    return NemesisRun.start(
        system, switchRef, clock, config.seed(), nemesisRuns.getAndIncrement(), run, id, props);
  }

  private List<SwitchAttachment> liveStacks() {
    List<Stack> live = new ArrayList<>(stacks);
    live.removeIf(Stack::isDisconnected);
    live.sort(java.util.Comparator.comparingInt(Stack::switchPort));
    return List.copyOf(live);
  }
}
