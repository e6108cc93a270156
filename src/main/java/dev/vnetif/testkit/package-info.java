/**
 * Test support for code that runs on a virtual network, and for the stack itself.
 *
 * <ul>
 *   <li>{@link dev.vnetif.testkit.SwitchProbe}: a TestKit {@code TestProbe} fed by a switch tap,
 *       with expectations on frames ({@code expectTcp(a, b, "SA")}, ARP, ICMP echo, UDP, no frame)
 *       whose failures list the frames seen, one tshark-like line each ({@link
 *       dev.vnetif.testkit.FrameSummary}).
 *   <li>{@link dev.vnetif.testkit.ScriptedPeer}: a host played by the test on a raw port, sending
 *       hand-built TCP segments ({@link dev.vnetif.testkit.SegmentBuilder}) and checking the exact
 *       answers, as packetdrill and mirage-tcpip's RFC 5961 tests do.
 *   <li>{@link dev.vnetif.testkit.VnetifExtension} with {@link dev.vnetif.testkit.VnetifTest}: a
 *       fresh network per test, optionally in virtual time, its seed printed and its capture kept
 *       when the test fails.
 * </ul>
 *
 * <p>Everything here waits in the network's time: in real time as TestKit does, and in virtual time
 * through {@link dev.vnetif.time.VirtualTime}, where the clock only moves while a test waits.
 *
 * <p>The package needs Pekko's {@code pekko-actor-testkit-typed} and {@code junit-jupiter-api},
 * which the library declares optional: add them to a project that uses it (test scope).
 */
package dev.vnetif.testkit;
