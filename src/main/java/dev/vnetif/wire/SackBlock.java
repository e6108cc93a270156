package dev.vnetif.wire;

/**
 * One block of a TCP SACK option (RFC 2018 §3): the receiver holds the sequence numbers {@code
 * [left, right)}, i.e. {@code right} is the first sequence number after the block.
 *
 * @param left the first sequence number of the block
 * @param right the sequence number just after the block
 */
public record SackBlock(int left, int right) {

  @Override
  public String toString() {
    return Integer.toUnsignedString(left) + "-" + Integer.toUnsignedString(right);
  }
}
