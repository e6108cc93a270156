/**
 * The engine behind {@link dev.vnetif.LinkConditions}: {@link
 * dev.vnetif.link.conditions.ConditionedLink} turns the frames offered to one link into departures
 * (bytes and time), purely and deterministically. The reference for every step is Linux netem
 * ({@code net/sched/sch_netem.c} and iproute2's {@code tc-netem}); where we differ, it is on
 * purpose and said below.
 *
 * <h2>Order and time</h2>
 *
 * <ul>
 *   <li>Steps apply in the order written (netem applies its features in a fixed order: duplicate,
 *       loss, corrupt, reorder, delay, rate). A frame carries a "ready at" time from step to step,
 *       starting at its entry time. A frame dropped at a step was seen by the steps before it:
 *       {@code rate(...).loss(p)} loses frames after the bottleneck (they used its bandwidth),
 *       {@code loss(p).rate(...)} before it.
 *   <li>The one exception is the queue limit: it guards the link's queue as a whole, so wherever it
 *       is written it is checked when a frame enters the link (and when a duplicate's copy is
 *       made), before any step, as netem checks its limit first.
 *   <li>The link is first in, first out: a frame leaves at {@code max(ready at, departure of the
 *       frame before it)}. Jitter therefore never reorders frames (netem's tfifo does, unless a
 *       rate is set; users almost always want the FIFO behaviour, and reordering has its own step).
 *   <li>Only a reorder step sends a frame out of order: it leaves at its entry time, ahead of the
 *       delayed ones, and later delay, rate and slot steps leave it alone.
 *   <li>There is no hidden queue limit (netem's default {@code limit 1000} drops silently): frames
 *       are tail-dropped only past a {@code QueueLimit}, counted apart from the other drops.
 * </ul>
 *
 * <h2>Randomness</h2>
 *
 * Each link's stream is {@link dev.vnetif.link.conditions.LinkRandom#forLink(long, String)} of the
 * network seed and the link's scope, split once per step, so a step's draws depend only on the
 * seed, the scope, its position and the frames it saw. Correlations follow netem's {@code
 * get_crandom}: the variate is {@code (1 - rho) * fresh + rho * previous} on uniform variates. This
 * is netem's behaviour with its known side effect: correlated variates gather toward 1/2, so a
 * correlated {@code loss random 1% 25%} loses fewer than 1% and a correlated delay has a smaller
 * spread.
 *
 * <h2>Steps</h2>
 *
 * <ul>
 *   <li><b>delay</b> {@code mean jitter distribution}: {@code mean + jitter * z}, floored at 0; z
 *       is the quantile of the distribution at one (possibly correlated) uniform variate, as netem
 *       reads its tables. UNIFORM gives netem's [mean - jitter, mean + jitter) (standard deviation
 *       jitter/sqrt(3)); NORMAL the standard normal; PARETO a Pareto of shape 3 (netem's table)
 *       capped at 16 times its scale (netem's table resolution, tail 2^-12) and standardized with
 *       the capped law's exact mean and deviation; PARETO_NORMAL netem's paretonormal table: a
 *       quarter of the normal quantile plus three quarters of the Pareto one at the same variate,
 *       divided by its standard deviation (0.9479422, by quadrature).
 *   <li><b>loss random p</b>: lost when the variate is below p. <b>loss gemodel p r 1-h 1-k</b>
 *       (netem's {@code loss_gilb_ell}): good and bad states, starting good; for each frame a draw
 *       moves good to bad with p or bad to good with r, and a second draw loses the frame with the
 *       loss probability of the state it found: {@code lossInBad} (netem's third value, 1-h) or
 *       {@code lossInGood} (the fourth, 1-k). Mean burst 1/r, loss rate p/(p+r) for the Gilbert
 *       model. <b>loss state p13 p31 p32 p23 p14</b> ({@code loss_4state}): 1 transmitted in a gap,
 *       2 transmitted in a burst, 3 lost in a burst, 4 isolated loss; one draw per frame moves the
 *       chain (1 to 4 with p14, to 3 with p13; 2 to 3 with p23; 3 to 2 with p32, to 1 with p31; 4
 *       back to 1) and the frame is lost when it lands in 3 or 4. A loss step with a predicate
 *       applies the model only to the frames the predicate accepts.
 *   <li><b>duplicate p</b>: the copy continues through the steps after this one and leaves right
 *       behind the original (netem re-enqueues the copy, which then goes through netem again).
 *   <li><b>corrupt p</b>: one random bit of one random byte flipped, in a copy of the bytes; empty
 *       frames pass unchanged and uncounted.
 *   <li><b>reorder p gap</b> (netem's enqueue): a counter of frames delayed since the last early
 *       one; while it is below gap - 1 the frame is delayed; otherwise a draw below p sends the
 *       frame at once and resets the counter (no draw while below, as netem's short-circuit).
 *       {@code delay 10ms reorder 25% gap 5}: frames 1-4 delayed, from frame 5 on each frame goes
 *       early with 25% until one does, then again four delayed; with p = 1, frames 5, 10, 15...
 *   <li><b>rate bps packetoverhead n</b>: leaves at {@code max(ready, previous frame through this
 *       step) + max(1, length + n) * 8 / bps} seconds (rounded down to the nanosecond), as netem's
 *       rate with the last queued packet as reference. "queued" counts the frames that waited.
 *   <li><b>limit n</b>: the frames held are those that entered and leave later than now; a frame
 *       finding n held when it enters is tail-dropped, before any step sees it.
 *   <li><b>slot min max packets bytes</b> (netem's {@code get_slot_next} and dequeue): a slot opens
 *       at a time and lets out the frames waiting then, up to its budget (0 = unlimited; the frame
 *       that crosses the byte budget still goes); when the budget is spent the next slot opens a
 *       uniform interval in [min, max) later. A frame that is ready only after the current slot
 *       opened finds the link idle and waits a fresh interval from when it is ready, as netem
 *       re-draws the slot when the head packet's time is past it. "queued" counts the frames that
 *       were waiting when a full slot left without them.
 *   <li><b>drop</b> (scripted), <b>trailing-bytes</b> and <b>drop-after</b> (mirage-tcpip's test
 *       backends): see {@link dev.vnetif.ConditionStep}. A predicate that throws counts as not
 *       matching (logged once per step at WARN).
 * </ul>
 */
package dev.vnetif.link.conditions;
