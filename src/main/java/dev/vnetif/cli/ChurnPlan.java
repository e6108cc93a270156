package dev.vnetif.cli;

/**
 * What the churn workload does, the same over both sides.
 *
 * @param connections connections made in all
 * @param concurrency connections in progress at once
 * @param clientHosts virtual client hosts the connections come from (round robin)
 * @param portsPerClient ephemeral ports of each virtual client host, 0 for the network's range: a
 *     narrow range brings 4-tuples back while the server still holds them in TIME_WAIT
 * @param abortFraction share of connections the client aborts (RST) instead of closing
 * @param seed chooses which connections abort
 */
record ChurnPlan(
    int connections,
    int concurrency,
    int clientHosts,
    int portsPerClient,
    double abortFraction,
    long seed) {

  /** Bytes each connection echoes. */
  static final int ECHO_BYTES = 1024;

  /** The plan with another number of connections (Pekko's side runs fewer). */
  ChurnPlan withConnections(int n) {
    return new ChurnPlan(n, concurrency, clientHosts, portsPerClient, abortFraction, seed);
  }

  /** Which connections abort: the same for the same seed, {@code abortFraction} of them. */
  boolean[] aborts() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
    boolean[] abort = new boolean[connections];
    for (int i = 0; i < connections; i++) {
      abort[i] = random.nextDouble() < abortFraction;
    }
    return abort;
  }
}
