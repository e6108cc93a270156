/**
 * Pekko HTTP on the virtual network: {@link dev.vnetif.stream.http.VirtualHttp} (the entry points),
 * {@link dev.vnetif.stream.http.VirtualHttpTransport} (the client transport, over {@link
 * dev.vnetif.stream.VirtualTcp#outgoingConnection}) and the server wiring over {@link
 * dev.vnetif.stream.VirtualTcp#bind}.
 *
 * <p>Pekko HTTP is an optional dependency of the library ({@code org.apache.pekko:pekko-http_2.13},
 * built and tested with 1.3.0 on Pekko 1.7.0): only this package needs it, and a project that uses
 * it adds it. The runnable CLI jar leaves it out.
 */
package dev.vnetif.stream.http;
