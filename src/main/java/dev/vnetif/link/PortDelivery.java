package dev.vnetif.link;

import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * Frames the switch hands to one attached port, in forwarding order. One message carries every
 * frame of one forwarding batch bound for that port, so a burst costs one mailbox hop.
 */
public record PortDelivery(List<ByteString> frames) {}
