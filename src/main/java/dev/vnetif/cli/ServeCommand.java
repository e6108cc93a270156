package dev.vnetif.cli;

import dev.vnetif.ExternalPort;
import dev.vnetif.ExternalPortConfig;
import dev.vnetif.LinkConditions;
import dev.vnetif.Stack;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vnetif serve}: virtual hosts with an external port, so a Linux TAP device (through socat)
 * or a QEMU VM joins the virtual switch, and small TCP services to talk to.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description =
        "Run virtual hosts with an external switch port (UDP, one frame per datagram) "
            + "and TCP services: echo 7, discard 9, chargen 19, HTTP/1.0 80 (GET /N sends N bytes).")
final class ServeCommand implements Callable<Integer> {

  @Mixin NetworkOptions network;

  @Option(
      names = "--on",
      paramLabel = "HOST",
      description = "Host that runs the services. Default: the scenario's second host.")
  String on;

  @Option(
      names = "--external-local",
      paramLabel = "ADDR:PORT",
      defaultValue = "127.0.0.1:7000",
      description = "UDP address the external port listens on (default ${DEFAULT-VALUE}).")
  String externalLocal;

  @Option(
      names = "--external-remote",
      paramLabel = "ADDR:PORT",
      defaultValue = "127.0.0.1:7001",
      description =
          "UDP address frames are sent to (socat's bind address), or 'learn' to take "
              + "it from the first datagram (default ${DEFAULT-VALUE}).")
  String externalRemote;

  @Option(
      names = "--external-mtu",
      paramLabel = "N",
      defaultValue = "1500",
      description = "MTU of the outside link (default ${DEFAULT-VALUE}).")
  int externalMtu;

  @Option(
      names = "--packet-information",
      description = "Datagrams carry the 4-byte TUN/TAP header (socat TAP without iff-no-pi).")
  boolean packetInformation;

  @Option(
      names = "--http-bytes",
      paramLabel = "SIZE",
      defaultValue = "10M",
      description = "What 'GET /' serves (default ${DEFAULT-VALUE}); 'GET /N' serves N bytes.")
  String httpBytes;

  @Option(
      names = "--tap-name",
      paramLabel = "NAME",
      defaultValue = "vnetif0",
      description = "TAP device name used in the printed commands (default ${DEFAULT-VALUE}).")
  String tapName;

  @Option(
      names = "--duration",
      paramLabel = "SECONDS",
      defaultValue = "0",
      description = "Stop after SECONDS; 0 runs until interrupted (default ${DEFAULT-VALUE}).")
  double duration;

  @Spec CommandSpec spec;

  private final CountDownLatch end = new CountDownLatch(1);

  @Override
  public Integer call() throws Exception {
    long httpDefault = ByteSize.parse("--http-bytes", httpBytes);
    InetSocketAddress local = endpoint("--external-local", externalLocal);
    InetSocketAddress remote =
        externalRemote.equals("learn") ? null : endpoint("--external-remote", externalRemote);
    PrintWriter out = spec.commandLine().getOut();
    NetworkSession session = new NetworkSession(network);
    try {
      Stack server =
          on != null ? session.host(on) : session.hosts.get(Math.min(1, session.hosts.size() - 1));
      session.applyConditions(LinkConditions.none());
      long seed = session.seed();
      server.tcp().listen(ServedServices.ECHO, ServedServices::echo);
      server.tcp().listen(ServedServices.DISCARD, ServedServices::discard);
      server.tcp().listen(ServedServices.CHARGEN, ServedServices::chargen);
      server.tcp().listen(ServedServices.HTTP, f -> ServedServices.http(f, httpDefault, seed));
      ExternalPort port =
          session
              .network
              .attachExternalPort(
                  ExternalPortConfig.of(local, remote)
                      .withMtu(externalMtu)
                      .withPacketInformation(packetInformation)
                      .withName("external"))
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      HostTable.print(out, session);
      printInstructions(out, server, port, httpDefault);
      out.flush();
      waitForEnd();
      out.printf("external port: %s%n", port.stats());
      out.flush();
      return 0;
    } finally {
      session.close();
    }
  }

  private void printInstructions(
      PrintWriter out, Stack server, ExternalPort port, long httpDefault) {
    String host = server.address().getHostAddress();
    out.printf(
        "external port: udp %s <-> %s (switch port %d, mtu %d%s)%n",
        hostPort(port.localAddress()),
        port.remoteAddress() == null
            ? "learned from the first datagram"
            : hostPort(port.remoteAddress()),
        port.switchPort(),
        externalMtu,
        packetInformation ? ", packet information" : "");
    out.printf(
        "services on %s %s: echo tcp/7, discard tcp/9, chargen tcp/19, "
            + "http tcp/80 (GET /N sends N bytes; GET / sends %d)%n%n",
        server.name(), host, httpDefault);
    String bind = port.remoteAddress() == null ? "" : ",bind=" + hostPort(port.remoteAddress());
    out.printf(
        "Attach a Linux TAP device (as root; rcvbuf needs net.core.rmem_max >= 4194304:"
            + " sysctl -w net.core.rmem_max=4194304):%n");
    // rcvbuf: the default 208 KiB overflows under a window-sized burst and drops frames.
    out.printf(
        "  socat TUN,tun-type=tap%s,iff-up,tun-name=%s UDP-DATAGRAM:%s%s,rcvbuf=4194304 &%n",
        packetInformation ? "" : ",iff-no-pi", tapName, hostPort(port.localAddress()), bind);
    out.printf("  ip link set %s mtu %d%n", tapName, externalMtu);
    out.printf("  ip addr add %s dev %s%n", suggestAddress(server), tapName);
    out.printf("  ping -c 3 %s; curl -o /dev/null http://%s/1000000%n", host, host);
    out.printf(
        "Or a QEMU VM: -netdev dgram,id=n0,local.type=inet,local.host=%s,local.port=%d,"
            + "remote.type=inet,remote.host=%s,remote.port=%d -device virtio-net-pci,netdev=n0%n",
        port.remoteAddress() == null ? "127.0.0.1" : port.remoteAddress().getHostString(),
        port.remoteAddress() == null ? 7001 : port.remoteAddress().getPort(),
        port.localAddress().getHostString(),
        port.localAddress().getPort());
    out.println();
  }

  /** An address on the server's network that no virtual host uses, for the TAP device. */
  private static String suggestAddress(Stack server) {
    byte[] base = server.address().getAddress();
    base[3] = (byte) 200;
    try {
      return InetAddress.getByAddress(base).getHostAddress() + "/" + server.cidr().prefixLength();
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Ends a running {@code serve} as an interrupt (or {@code --duration}) would. */
  void stop() {
    end.countDown();
  }

  private void waitForEnd() throws InterruptedException {
    Thread hook = new Thread(end::countDown, "vnetif-serve-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      if (duration > 0) {
        end.await((long) (duration * 1000), TimeUnit.MILLISECONDS);
      } else {
        end.await();
      }
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is already exiting: nothing to remove
      }
    }
  }

  static InetSocketAddress endpoint(String option, String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(option + ": '" + text + "' is not ADDRESS:PORT");
    }
    try {
      int port = Integer.parseInt(text.substring(colon + 1));
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return new InetSocketAddress(InetAddress.getByName(text.substring(0, colon)), port);
    } catch (NumberFormatException | java.net.UnknownHostException e) {
      throw new IllegalArgumentException(option + ": '" + text + "' is not ADDRESS:PORT", e);
    }
  }

  private static String hostPort(InetSocketAddress address) {
    return address.getAddress().getHostAddress() + ":" + address.getPort();
  }
}
