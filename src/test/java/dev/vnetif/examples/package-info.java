/**
 * Examples to copy: each class is a real JUnit 5 test of Pekko code on a virtual network, short and
 * commented, with bounded waits and no sleeps.
 *
 * <ul>
 *   <li>{@link dev.vnetif.examples.StreamsEchoExample}: a Pekko Streams echo server ({@code
 *       VirtualTcp.bind} + {@code handleWith(Flow.create())}) and clients checking every byte that
 *       comes back (a SHA-256 over 400 KiB; eight clients at once), in virtual time.
 *   <li>{@link dev.vnetif.examples.FramingRequestResponseExample}: request/response with Pekko
 *       Streams {@code Framing}, newline-delimited and length-prefixed, requests pipelined on one
 *       connection and the replies checked in order.
 *   <li>{@link dev.vnetif.examples.OneLineSwapExample}: one test class run twice, over Pekko's
 *       {@code Tcp} on 127.0.0.1 and over {@code VirtualTcp}, the runs differing by one line.
 *   <li>{@link dev.vnetif.examples.SwitchProbeHandshakeExample}: a {@code SwitchProbe} asserting
 *       the exact three-way handshake of a Streams connection — ports, flags, sequence numbers,
 *       options and the virtual instant of every frame.
 *   <li>{@link dev.vnetif.examples.SynAckDroppedTwiceExample}: a scripted drop step loses the
 *       SYN-ACK twice; the SYN goes out at exactly +0 s, +1 s and +3 s of virtual time (RFC 6298),
 *       and the third attempt connects.
 *   <li>{@link dev.vnetif.examples.TypedActorClientServerExample}: a typed-actor server and client
 *       on the flow protocol ({@code Register}, {@code Write}, {@code Received}, {@code
 *       ConfirmedClose}), tested with Pekko's {@code TestKitJUnit5Extension} and {@code TestProbe}s
 *       next to {@code @VnetifTest}.
 *   <li>{@link dev.vnetif.examples.HttpOverVirtualNetworkExample}: a Pekko HTTP server and a Pekko
 *       HTTP client (its connection pool on {@code VirtualHttp.clientTransport}) on two hosts of
 *       one network: GETs and a POST whose body hash is checked, in real and in virtual time.
 * </ul>
 *
 * <p>The tests in virtual time take their network from {@code @VnetifTest(virtualTime = true)} and
 * wait only through {@code VirtualTime.await}, each wait bounded in virtual time; those in real
 * time wait at most a few seconds on each stage or probe.
 */
package dev.vnetif.examples;
