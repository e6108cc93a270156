/**
 * Virtual time: the actor system as a discrete-event simulation.
 *
 * <p>{@link dev.vnetif.time.VirtualTime#config()} sets two things. The scheduler is a {@link
 * dev.vnetif.time.VirtualTimeScheduler}: one timeline of tasks ordered by (deadline, sequence
 * number), whose clock moves only when asked. Every dispatcher runs on the one thread of a {@code
 * SimulationExecutor}, which counts tasks submitted and not yet finished. A count of zero is the
 * definition of "idle": no actor has mail (a dispatcher submits a mailbox as soon as it has a
 * message) and nothing is running. The clock then jumps to the next deadline, and only while a
 * caller waits in {@link dev.vnetif.time.VirtualTime#await}, {@link
 * dev.vnetif.time.VirtualTime#advance} or {@link dev.vnetif.time.VirtualTime#run}.
 *
 * <p>Why one thread: with the seed fixing every random draw and the timeline fixing the order of
 * timers, the remaining source of difference between two runs is the interleaving of actors on
 * threads. One thread, fed in submission order, removes it, so the same inputs give the same frames
 * at the same virtual times — byte-identical captures. Virtual time is also fast for the same
 * reason that it is exact: a 200 ms retransmission timeout costs nothing to wait for.
 *
 * <p>What stays outside: threads the simulation does not own (a test's own thread pool, {@code
 * ForkJoinPool.commonPool()}, external ports' sockets). Work there is not counted, so the clock may
 * move while it runs; keep simulated work on actors and stages completed inside.
 */
package dev.vnetif.time;
