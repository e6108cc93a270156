package dev.vnetif.link;

import dev.vnetif.wire.MacAddress;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;

/**
 * One port of the switch: where its frames go, its counters, and the frames collected for it during
 * the current forwarding batch. Owned by the {@link SwitchActor}; not thread-safe.
 */
final class SwitchPort {
  final int number;
  final String name;
  final MacAddress mac;

  /** Largest frame this port takes or gives (its link's MTU + 14). */
  final int maxFrameSize;

  private final ActorRef<PortDelivery> endpoint;

  long rxFrames;
  long rxBytes;
  long txFrames;
  long txBytes;
  long drops;

  /** Frames bound for this port in the batch being forwarded; null when none. */
  private List<ByteString> outbox;

  SwitchPort(
      int number, String name, MacAddress mac, int maxFrameSize, ActorRef<PortDelivery> endpoint) {
    this.number = number;
    this.name = name;
    this.mac = mac;
    this.maxFrameSize = maxFrameSize;
    this.endpoint = endpoint;
  }

  /** Queues a frame for this port; returns true if it is the first one of the batch. */
  boolean enqueue(ByteString frame) {
    txFrames++;
    txBytes += frame.length();
    if (outbox == null) {
      outbox = new ArrayList<>(4);
      outbox.add(frame);
      return true;
    }
    outbox.add(frame);
    return false;
  }

  /** Sends the collected frames as one message. */
  void flush() {
    List<ByteString> frames = outbox;
    outbox = null;
    if (frames != null) {
      endpoint.tell(new PortDelivery(frames));
    }
  }

  SwitchStats.PortStats stats() {
    return new SwitchStats.PortStats(
        number, name, mac.toString(), rxFrames, rxBytes, txFrames, txBytes, drops);
  }
}
