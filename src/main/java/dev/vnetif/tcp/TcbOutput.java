package dev.vnetif.tcp;

import dev.vnetif.wire.TcpSegment;

/**
 * Where a {@link Tcb} puts what it produces while handling one input: segments to transmit (in
 * order) and events for the user. The flow actor batches the segments of one input into one message
 * to the stack; tests record both.
 */
public interface TcbOutput {
  void segment(TcpSegment segment);

  void event(TcbEvent event);
}
