package dev.vnetif;

import dev.vnetif.stack.HostCommand;
import dev.vnetif.stack.HostCounters;
import dev.vnetif.stack.HostSettings;
import dev.vnetif.stack.PingOutcome;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Cidr;
import dev.vnetif.wire.MacAddress;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * One virtual host on a {@link VirtualNetwork}: an IPv4 address on a prefix, a MAC, an MTU, and the
 * protocols on top. Created by {@link VirtualNetwork#createStack}; every method is thread-safe.
 */
public final class Stack implements SwitchAttachment {
  /** Ask timeouts are a safety net above the protocol's own timers, never the mechanism. */
  private static final Duration ASK_MARGIN = Duration.ofSeconds(10);

  private final ActorSystem<?> system;
  private final ActorRef<HostCommand> host;
  private final HostSettings settings;
  private final MacAddress mac;
  private final int switchPort;
  private final HostCounters counters;
  private final int pingPayloadSize;
  private final Udp udp;
  private final Tcp tcp;
  private final Runnable onDisconnect;
  private final AtomicBoolean disconnected = new AtomicBoolean();

  Stack(
      ActorSystem<?> system,
      ActorRef<HostCommand> host,
      HostSettings settings,
      MacAddress mac,
      int switchPort,
      HostCounters counters,
      int pingPayloadSize,
      Runnable onDisconnect) {
    this.system = system;
    this.host = host;
    this.settings = settings;
    this.mac = mac;
    this.switchPort = switchPort;
    this.counters = counters;
    this.pingPayloadSize = pingPayloadSize;
    this.onDisconnect = onDisconnect;
    Duration arpBudget = settings.arp().retryInterval().multipliedBy(settings.arp().maxRequests());
    this.udp = new Udp(this, system, host, arpBudget.plus(ASK_MARGIN));
    this.tcp = new Tcp(system, host, this);
  }

  public Inet4Address address() {
    return settings.address().toInet();
  }

  public MacAddress mac() {
    return mac;
  }

  public int mtu() {
    return settings.mtu();
  }

  public Ipv4Cidr cidr() {
    return settings.cidr();
  }

  /** The label given in {@link StackConfig#withName}, or the address. */
  public String name() {
    return settings.name();
  }

  /** The switch port this host is attached to. */
  @Override
  public int switchPort() {
    return switchPort;
  }

  public Udp udp() {
    return udp;
  }

  public Tcp tcp() {
    return tcp;
  }

  /**
   * Sends one ICMP echo request ({@code vnetif.host.ping-payload-size} data bytes) and completes
   * when the reply arrives. Fails with {@link TimeoutException} when none comes within {@code
   * timeout}, {@link NoRouteException} when the destination is off-link with no gateway, {@link
   * HostUnreachableException} when ARP for the next hop fails first.
   */
  public CompletionStage<Done> ping(Inet4Address dst, Duration timeout) {
    return echo(dst, pingPayloadSize, timeout).thenApply(reply -> Done.getInstance());
  }

  /**
   * Like {@link #ping} with {@code payloadSize} data bytes, completing with the reply's details
   * (sequence, TTL, round-trip time).
   *
   * @throws IllegalArgumentException if the request would not fit the MTU
   */
  public CompletionStage<PingReply> echo(Inet4Address dst, int payloadSize, Duration timeout) {
    if (payloadSize < 0) {
      throw new IllegalArgumentException("payloadSize must be >= 0, got " + payloadSize);
    }
    int maxPayload = settings.mtu() - 28;
    if (payloadSize > maxPayload) {
      throw new IllegalArgumentException(
          "payloadSize "
              + payloadSize
              + " exceeds "
              + maxPayload
              + " (MTU "
              + settings.mtu()
              + " minus IPv4 and ICMP headers)");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    IllegalStateException gone = disconnectedError();
    if (gone != null) {
      return CompletableFuture.failedFuture(gone);
    }
    Ipv4Address destination = Ipv4Address.fromInet(dst);
    CompletionStage<PingOutcome> outcome =
        Asks.ask(
            host,
            replyTo -> new HostCommand.Ping(destination, payloadSize, timeout, replyTo),
            timeout.plus(ASK_MARGIN),
            system.scheduler());
    return outcome.thenCompose(this::toReply);
  }

  private CompletionStage<PingReply> toReply(PingOutcome outcome) {
    String self = settings.address().toString();
    if (outcome instanceof PingOutcome.Reply r) {
      return CompletableFuture.completedFuture(
          new PingReply(
              r.from().toInet(),
              r.sequence(),
              r.ttl(),
              r.payloadSize(),
              Duration.ofNanos(r.rttNanos())));
    } else if (outcome instanceof PingOutcome.TimedOut t) {
      return CompletableFuture.failedFuture(
          new TimeoutException(
              self
                  + ": no echo reply from "
                  + t.destination()
                  + " (icmp_seq="
                  + t.sequence()
                  + ")"));
    } else if (outcome instanceof PingOutcome.Unreachable u) {
      return CompletableFuture.failedFuture(
          new HostUnreachableException(self + " -> " + u.destination() + ": " + u.reason()));
    } else if (outcome instanceof PingOutcome.NoRoute n) {
      return CompletableFuture.failedFuture(noRoute(n.destination()));
    } else {
      PingOutcome.TooBig b = (PingOutcome.TooBig) outcome;
      return CompletableFuture.failedFuture(
          new IllegalArgumentException(
              "payload size " + b.payloadSize() + " exceeds " + b.maxPayload()));
    }
  }

  NoRouteException noRoute(Ipv4Address destination) {
    return new NoRouteException(
        settings.address()
            + " -> "
            + destination
            + ": no route to "
            + "host (not on "
            + settings.cidr()
            + (settings.gateway() == null ? " and no gateway)" : ")"));
  }

  /**
   * Leaves the switch: the host stops receiving and sending, and its actors stop. Completes once
   * the switch port is gone. Calling it again is harmless.
   */
  public CompletionStage<Done> disconnect() {
    if (!disconnected.compareAndSet(false, true)) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    CompletionStage<Done> done =
        Asks.ask(host, HostCommand.Disconnect::new, ASK_MARGIN, system.scheduler());
    return done.whenComplete((d, e) -> onDisconnect.run());
  }

  /**
   * The host crashes: it leaves the switch at once, sending nothing — no FIN, no RST — and every
   * flow, listener and socket of it is gone. Its peers find out as on a real network: by RTO or
   * keepalive timeouts, or by the RST a restarted host ({@link VirtualNetwork#restart}) answers to
   * segments of connections it has forgotten. Completes once the port is gone; the same as {@link
   * #disconnect()}, named for what a fault-injection test means by it.
   */
  public CompletionStage<Done> crash() {
    return disconnect();
  }

  /** Whether {@link #disconnect()} or {@link #crash()} was called. */
  public boolean isDisconnected() {
    return disconnected.get();
  }

  /** The settings this host was made with (for {@link VirtualNetwork#restart}). */
  HostSettings settings() {
    return settings;
  }

  /**
   * The clock this host reads: the simulation's in virtual time, the real one otherwise. Timeouts
   * built on a host (the Streams adapter's idle timeout) measure with it.
   */
  public dev.vnetif.link.NetworkClock clock() {
    return settings.clock();
  }

  /** The actor system this host runs on. */
  public ActorSystem<?> system() {
    return system;
  }

  /** The host's counters right now; no message round trip. */
  public StackStats stats() {
    return StackStats.of(counters);
  }

  /** The error for using a host after {@link #disconnect()}, or null while it is attached. */
  IllegalStateException disconnectedError() {
    return disconnected.get()
        ? new IllegalStateException("host " + settings.address() + " is disconnected")
        : null;
  }

  @Override
  public String toString() {
    return "Stack[" + settings.name() + " " + settings.cidr() + " " + mac + "]";
  }
}
