package dev.vnetif.cli;

import dev.vnetif.TcpFlowStats;

/**
 * One reading of a sending flow for {@code iperf --report}: its TCP state as its actor last
 * published it, at a time of the network's clock.
 *
 * @param nanos since the series' time zero (both ends connected), on the network's clock
 * @param stats the sending flow's state and counters then
 */
record TransferSample(long nanos, TcpFlowStats stats) {}
