package dev.vnetif;

import dev.vnetif.tcp.CloseReason;

/** Maps why a connection ended to the exception the public API fails with. */
final class TcpErrors {
  private TcpErrors() {}

  static TcpException of(CloseReason reason, String message) {
    return switch (reason) {
      case REFUSED -> new ConnectionRefusedException(message);
      case TIMEOUT -> new ConnectionTimeoutException(message);
      case RESET -> new ConnectionResetException(message);
      case NORMAL, ABORTED, KEEPALIVE_TIMEOUT -> new ConnectionClosedException(message);
    };
  }
}
