/**
 * One virtual host: its actor ({@link dev.vnetif.stack.StackActor}), the TCP listener and flow
 * actors it spawns, and the protocols between them.
 *
 * <h2>The flow actor: one behavior per phase</h2>
 *
 * <p>{@link dev.vnetif.stack.TcpFlowActor} is one TCP connection. It owns the connection's {@code
 * Tcb} (the sans-I/O state machine of {@code dev.vnetif.tcp}) and has one behavior per phase, in
 * the shape of Pekko's {@code TcpConnection}:
 *
 * <ul>
 *   <li><b>connecting</b> — SYN sent or received. Nobody holds the flow yet: its handle is handed
 *       out (to the connect's asker, to the listener) when the Tcb reports Established.
 *   <li><b>open</b> — established: reads, writes, close requests.
 *   <li><b>closing</b> — our sending side is shut (Close, ConfirmedClose, close(), shutdown(WRITE),
 *       or PeerClosed without keepOpenOnPeerClosed): a FIN follows the queued writes, new writes
 *       fail, reading goes on until the peer's FIN.
 *   <li><b>lingering</b> — the connection ended (CLOSED, or TIME_WAIT handed to the host) and the
 *       host forgot the flow. Timers already queued find nothing to do; segments still in flight go
 *       back to the host to be demultiplexed again; requests get what an ended flow answers (data
 *       that arrived before the end can still be read); after {@code FlowTimers.LINGER} the actor
 *       stops.
 * </ul>
 *
 * <p>The flow's work is split in two sides, each its own class with its own tests: {@link
 * dev.vnetif.stack.FlowReceiver} (data waiting to be read; bytes are consumed from the TCP window
 * only when handed to the user, so a reader that does not read closes the window) and {@link
 * dev.vnetif.stack.FlowSender} (writes waiting for send-buffer room, nodelay writes waiting for
 * their ACK). Every way of closing is one sealed {@code CloseRequest}, handled in one method; the
 * one place that follows the Tcb's state changes is {@code TcpFlowActor.onStateChanged}.
 *
 * <h2>Public and private messages</h2>
 *
 * <p>{@link dev.vnetif.stack.FlowCommand} is what a user may send through {@code TcpFlow.ref()}:
 * Register, Write, ResumeReading, Close, ConfirmedClose, Abort (API.md §4), answered by {@link
 * dev.vnetif.stack.FlowEvent}s. Everything else the actor handles is {@code FlowInternal},
 * package-private (Pekko's style guide, "public versus private messages"): {@code SegmentsIn} from
 * the host, {@code TimerFired} and {@code Linger} from its timers, and the requests of the {@code
 * CompletionStage} API. A user can neither name nor build them. {@code FlowCommand.ConnectReply}
 * answers the host's {@code TcpConnect}.
 *
 * <h2>The CompletionStage API: one message per request</h2>
 *
 * <p>{@link dev.vnetif.stack.FlowHandle} is the client side that {@code dev.vnetif.TcpFlow} wraps.
 * Each read, write, shutdown or close is one message that carries the {@code CompletableFuture} the
 * actor completes: no ask, no temporary actor. {@code write} completes when its bytes are in the
 * send buffer, {@code writeNodelay} when they are acknowledged; a writer that outruns the peer
 * finds its write pending until ACKs make room, so nothing grows beyond what the user queued. The
 * answers are neutral (bytes, an empty ByteString for end-of-file, {@code Done}, {@link
 * dev.vnetif.stack.FlowClosedException} carrying the {@code CloseReason}); {@code TcpFlow} maps
 * them to {@code ReadResult} and the API's exceptions.
 *
 * <p>A request can race with the actor's stop, and is still answered: one that finds the handle
 * stopped is answered at once; one the actor holds when it stops is answered in its PostStop; one
 * that reaches the stopped mailbox goes to dead letters, where {@code FlowDeadLetters} (one
 * subscriber per actor system) answers it. All three answer through the one rule for an ended flow,
 * {@code FlowHandle.answerEndedRead} / {@code answerEndedWrite}: reads end with end-of-file after
 * the peer's FIN, our shutdown(READ), a normal close or a keepalive failure, and otherwise fail
 * with the reason; writes fail with the reason.
 *
 * <h2>How the events of one input are handled</h2>
 *
 * <p>Every input (a batch of segments, a timer, a user command) is one call into the Tcb, which
 * emits segments and events; the actor then handles the events in the order the Tcb emitted them,
 * sends the segments to the host as one {@code HostCommand.TcpOut}, sets its timers from the Tcb's
 * deadlines, publishes the stats, and moves to the behavior of the phase it is now in. A batch can
 * end the connection after freeing send-buffer room, delivering data or the peer's FIN (an ACK,
 * data or a FIN together with a RST): when its first event is handled the Tcb is already CLOSED. So
 * no event handler calls the Tcb once it cannot take the call — the sender pumps only while the Tcb
 * can send, the receiver consumes only before CLOSED — data and FIN are handed over as they came,
 * and the Closed event, last, fails what still waits with the reason (issue 8).
 *
 * <h2>The host</h2>
 *
 * <p>One {@link StackActor} per IPv4 host owns Ethernet, ARP and IPv4 and hands each transport to
 * its part, all running on the host actor's thread: {@link TcpDemux} (4-tuple to flow actor, port
 * to listener actor, RST for closed ports), {@link UdpEndpoints} (port to {@link UdpSocketActor},
 * ephemeral ports, ICMP port unreachable) and {@link IcmpEcho} (echo replies, pings, their replies
 * and timeouts, counted ICMP errors). Discarded input is counted under one {@link DropReason} and
 * logged at debug by {@link InputDrops}; nothing a peer sends makes the host throw.
 *
 * <p><b>Who may send what.</b> The behavior takes the package-private {@code HostMessage}. Users
 * hold only an {@code ActorRef<HostCommand>} (the behavior from {@link StackActor#create} and the
 * ref in {@link StackActor.HostReady} are narrowed), and {@link HostCommand} is exactly Ping,
 * UdpListen, UdpUnlisten, UdpSend, TcpConnect, TcpListen, TcpUnlisten, TcpDisconnect and
 * Disconnect. The host's own messages (frames from the switch, ARP retry and ping timers, attach
 * and detach) are {@code HostMessage} records; the flows' messages to their host ({@code
 * HostCommand.TcpOut}, {@code FlowRegistered}, {@code FlowClosed}, {@code FlowStopped}) are nested
 * in {@code HostCommand} for the flow actor's sake but are not {@code HostCommand}s and have
 * package-private constructors.
 *
 * <p><b>Input, one batch at a time.</b> The switch delivers a batch of frames in one message
 * ({@code FramesIn}). The host parses each frame layer by layer (Ethernet, then ARP or IPv4, then
 * ICMP, UDP or TCP, verifying every checksum unless the host declares them offloaded); TCP segments
 * are grouped per flow, and only after the whole batch each flow gets its segments in one {@code
 * FlowInternal.SegmentsIn}. Datagrams the host sent itself (loopback) are received in the same
 * turn. Then every frame produced while handling the batch goes to the switch as one {@code
 * Transmit}.
 *
 * <p><b>Output, one path.</b> Everything the host sends leaves through {@link HostOutput}: a flow's
 * segments ({@code TcpOut}, handled by the host itself, with the route and the next hop's MAC
 * looked up once per batch), RSTs for closed ports, UDP datagrams, ICMP echo requests, replies and
 * errors, ARP requests and replies. {@code HostOutput} routes (RFC 1122 §3.3.1: on-link directly,
 * else the gateway, else NO_ROUTE), checks the MTU, and builds the whole frame — Ethernet, IPv4,
 * then the TCP/UDP/ICMP payload — in one array with {@link dev.vnetif.wire.Ipv4Frame}; the payload
 * is copied into it and summed in the same pass. A frame whose next hop is unresolved is held,
 * complete but for its destination MAC, while ARP asks (RFC 826; RFC 1122 §2.3.2.2: a bounded queue
 * per address, oldest dropped), and is released as it was built when the answer comes, or dropped
 * and reported to whoever waits for it (UDP send, ping) when the requests run out. Frames wait in
 * an outbox until the message is handled, then go to the switch as one batch; answers that promise
 * "it is on the wire" (a UDP send's SENT) are told only after that batch left.
 *
 * <h2>TIME_WAIT: a compact entry in the host's table</h2>
 *
 * <p>A connection that closed first waits out 2·MSL in TIME_WAIT (RFC 9293 §3.3.2). Its flow does
 * not: when the Tcb enters TIME_WAIT the flow hands the host a {@link dev.vnetif.tcp.TimeWait}
 * (SND.NXT, RCV.NXT, the windows, the deadline) in place of {@code FlowClosed}, ends NORMALly for
 * its user and stops; its handle shows TIME_WAIT until the deadline, then CLOSED. {@link TcpDemux}
 * looks up a segment's 4-tuple in the flow table, then in the {@link TimeWaitTable} (about 170
 * bytes an entry; one host timer for the earliest deadline, as every entry waits the same 2·MSL),
 * then hands SYNs to the port's listener. An entry re-ACKs a retransmitted FIN and restarts the
 * wait, answers an old SYN with an ACK, and lets a SYN beyond the old RCV.NXT reopen the 4-tuple at
 * once, with an ISS above the old SND.NXT (RFC 9293 §3.10.7.4, RFC 6191) — so a client that reuses
 * its port gets a SYN-ACK, not a stall. A 4-tuple whose flow ended is never a black hole: the
 * listener forgets a 4-tuple when its flow ends (not when its actor stops), and a lingering flow
 * hands segments that still reach it back to the host ({@code SegmentsAfterClose}) to be
 * demultiplexed again.
 *
 * <h2>SYN backlog and SYN cookies</h2>
 *
 * <p>A {@link TcpListenerActor} holds at most {@code vnetif.tcp.syn-backlog} half-open flows.
 * Beyond that, with {@code vnetif.tcp.syn-cookies} on (the default, RFC 4987 §3.6), it answers a
 * SYN itself with a SYN-ACK whose ISS is a {@link dev.vnetif.tcp.SynCookies cookie} and keeps
 * nothing. {@link TcpDemux} hands the listener every ACK for its port that matches no flow and no
 * TIME_WAIT entry; while cookies went out in the last two 64 s periods, one that validates becomes
 * a flow built by {@link dev.vnetif.tcp.Tcb#acceptCookie}, established at once; any other is reset
 * as before. The counts are in {@link dev.vnetif.StackStats} ({@code synCookiesSent}, {@code
 * synCookiesValidated}, {@link DropReason#TCP_SYN_COOKIE_INVALID}).
 */
package dev.vnetif.stack;
