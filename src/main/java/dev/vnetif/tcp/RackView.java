package dev.vnetif.tcp;

/**
 * A read-only snapshot of one connection's RACK state (RFC 8985 §6.1 names), for tests that assert
 * it after each step, as gVisor's tests read its endpoint's RACK fields. Package-private: RACK's
 * variables are the sender's business, not an API.
 *
 * @param xmitNanos RACK.xmit_ts: when the most recently sent segment delivered was sent; -1 none
 * @param endSeq RACK.end_seq: that segment's end; meaningful once {@code xmitNanos >= 0}
 * @param rttNanos RACK.rtt: that segment's round trip; 0 before the first
 * @param minRttNanos RACK.min_RTT, {@link Long#MAX_VALUE} while unknown
 * @param reorderingSeen RACK.reordering_seen (RFC 8985 §6.2 step 3)
 * @param reoWndMult RACK.reo_wnd_mult (RFC 8985 §6.2 step 4)
 * @param reoWndPersist RACK.reo_wnd_persist: recoveries a widened window has left
 * @param reoWndNanos RACK.reo_wnd as RACK_update_reo_wnd computes it now (RFC 8985 §6.2 step 4)
 * @param segsSacked RACK.segs_sacked: the scoreboard's SACKed segments
 * @param inRecovery whether the sender is in fast recovery
 */
record RackView(
    long xmitNanos,
    int endSeq,
    long rttNanos,
    long minRttNanos,
    boolean reorderingSeen,
    int reoWndMult,
    int reoWndPersist,
    long reoWndNanos,
    int segsSacked,
    boolean inRecovery) {}
