package dev.vnetif;

/** Which directions {@link TcpFlow#shutdown} closes. */
public enum ShutdownMode {
  /** Stop reading: data that arrives is discarded (and acknowledged); reads return Eof. */
  READ,
  /** Stop writing: a FIN follows the data already written. */
  WRITE,
  READ_WRITE
}
