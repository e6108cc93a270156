package dev.vnetif;

import dev.vnetif.link.SwitchActor;
import dev.vnetif.link.SwitchCommand;
import dev.vnetif.link.SwitchSettings;
import dev.vnetif.stack.HostCommand;
import dev.vnetif.stack.HostCounters;
import dev.vnetif.stack.StackActor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The switch and host behaviors, for code that spawns them under its own guardian instead of using
 * {@link VirtualNetwork}. A host attaches itself to the switch it is given and answers {@code
 * ready} ({@link StackActor.HostReady}) with its ref, MAC and port once attached.
 *
 * <p>What a user may send (Pekko's style guide, "public versus private messages"; everything else
 * the actors exchange is internal, and the refs and behaviors handed out here cannot take it):
 *
 * <ul>
 *   <li>to a host, an {@code ActorRef<}{@link HostCommand}{@code >}: {@link HostCommand.Ping},
 *       {@link HostCommand.UdpListen}, {@link HostCommand.UdpUnlisten}, {@link
 *       HostCommand.UdpSend}, {@link HostCommand.TcpConnect}, {@link HostCommand.TcpListen}, {@link
 *       HostCommand.TcpUnlisten}, {@link HostCommand.TcpDisconnect}, {@link
 *       HostCommand.Disconnect}, {@link HostCommand.ListFlows};
 *   <li>to a connection, the ref of the {@link dev.vnetif.stack.FlowHandle} that {@code TcpConnect}
 *       or a {@code TcpListen} callback gives (shaped after Pekko IO {@code Tcp}): {@link
 *       dev.vnetif.stack.FlowCommand.Register}, {@link dev.vnetif.stack.FlowCommand.Write}, {@link
 *       dev.vnetif.stack.FlowCommand.ResumeReading}, {@link dev.vnetif.stack.FlowCommand.Close},
 *       {@link dev.vnetif.stack.FlowCommand.ConfirmedClose}, {@link
 *       dev.vnetif.stack.FlowCommand.Abort} — and it answers with {@link
 *       dev.vnetif.stack.FlowEvent}s.
 * </ul>
 *
 * <pre>{@code
 * ActorRef<SwitchCommand> sw = ctx.spawn(VnetifBehaviors.switchBehavior(config), "switch");
 * ctx.spawn(VnetifBehaviors.host(config, StackConfig.of("10.0.0.2/24"), 1, sw, readyRef), "a");
 * }</pre>
 */
public final class VnetifBehaviors {
  private VnetifBehaviors() {}

  /**
   * A switch with the network's seed and frame size limit, on the actor system's clock (virtual
   * when the system was made with {@code VirtualTime.config()}, real otherwise).
   */
  public static Behavior<SwitchCommand> switchBehavior(NetworkConfig config) {
    return Behaviors.setup(
        ctx ->
            SwitchActor.create(
                new SwitchSettings(
                    config.seed(),
                    config.maxFrameSize(),
                    NetworkClocks.of(ctx.getSystem()),
                    config.macAgeingTime(),
                    config.macTableLimit())));
  }

  /**
   * One host on {@code switchRef}. {@code hostSeed} drives its ephemeral ports, ICMP identifiers
   * and ISNs: give each host its own.
   */
  public static Behavior<HostCommand> host(
      NetworkConfig config,
      StackConfig stackConfig,
      long hostSeed,
      ActorRef<SwitchCommand> switchRef,
      ActorRef<StackActor.HostReady> ready) {
    return Behaviors.setup(
        ctx ->
            StackActor.create(
                VirtualNetwork.hostSettings(
                    config, stackConfig, hostSeed, NetworkClocks.of(ctx.getSystem())),
                switchRef,
                new HostCounters(),
                ready));
  }
}
