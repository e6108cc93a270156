package dev.vnetif.stack;

import java.util.function.Consumer;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a UDP listener's handler off the host actor, in arrival order, so a slow or throwing handler
 * never stalls or restarts the host.
 */
final class UdpSocketActor {
  private static final Logger log = LoggerFactory.getLogger(UdpSocketActor.class);

  private UdpSocketActor() {}

  static Behavior<UdpReceived> create(int port, Consumer<UdpReceived> handler) {
    return Behaviors.receive(UdpReceived.class)
        .onMessage(
            UdpReceived.class,
            datagram -> {
              try {
                handler.accept(datagram);
              } catch (RuntimeException e) {
                log.warn("UDP handler on port {} threw; the datagram is dropped", port, e);
              }
              return Behaviors.same();
            })
        .build();
  }
}
