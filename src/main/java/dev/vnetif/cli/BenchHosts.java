package dev.vnetif.cli;

import static dev.vnetif.cli.BenchPayloads.await;

import dev.vnetif.NetworkConfig;
import dev.vnetif.Stack;
import dev.vnetif.StackConfig;
import dev.vnetif.VirtualNetwork;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The virtual network the bench measures: a client 10.0.0.2 and a server 10.0.0.3 on one switch,
 * both with the same MTU. Each side that runs over the virtual network has one of its own.
 */
record BenchHosts(VirtualNetwork network, Stack client, Stack server) {
  private static final Duration SETUP = Duration.ofSeconds(30);

  static BenchHosts start(ActorSystem<?> system, NetworkConfig config, int mtu)
      throws InterruptedException {
    // An Ethernet frame is the MTU plus its 14-byte header: let the switch carry it.
    NetworkConfig fitting = config.withMaxFrameSize(Math.max(config.maxFrameSize(), mtu + 14));
    VirtualNetwork network = VirtualNetwork.create(system, fitting);
    Stack server =
        await(
            network.createStack(StackConfig.of("10.0.0.3/24").withMtu(mtu).withName("server")),
            SETUP,
            "creating the virtual server host",
            () -> "");
    Stack client =
        await(
            network.createStack(StackConfig.of("10.0.0.2/24").withMtu(mtu).withName("client")),
            SETUP,
            "creating the virtual client host",
            () -> "");
    return new BenchHosts(network, client, server);
  }

  /** "hosts 10.0.0.2/24 -> 10.0.0.3/24 on one switch, MTU 1500 (MSS 1460), ...". */
  String describe() {
    return "hosts "
        + client.cidr()
        + " -> "
        + server.cidr()
        + " on one switch, MTU "
        + client.mtu()
        + " (MSS "
        + (client.mtu() - 40)
        + "), TCP buffers "
        + network.config().tcp().sendBufferSize() / 1024
        + " KiB, checksums "
        + (network.config().checksumOffload() ? "offloaded" : "verified");
  }

  /** "client host ...; server host ...": the hosts' counters, for a failure's diagnostics. */
  String stats() {
    return "client host " + client.stats() + "; server host " + server.stats();
  }

  /** Shuts the network down and waits for it, briefly. */
  void shutdown() {
    try {
      await(network.shutdown(), SETUP, "shutting the virtual network down", () -> "");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
