package dev.vnetif.link;

import org.apache.pekko.util.ByteString;

/**
 * One frame as a tap sees it: the bytes the switch forwarded, the port it came in on (number and
 * name), and when the switch forwarded it (nanoseconds since the Unix epoch).
 */
public record TappedFrame(ByteString bytes, int ingressPort, String ingressName, long epochNanos) {}
