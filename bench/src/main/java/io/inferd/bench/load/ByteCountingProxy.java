package io.inferd.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A loopback TCP proxy that counts every byte it relays, in each direction, and every connection it
 * accepts: what a protocol really puts on the wire (headers, framing, SSE's {@code data:} lines,
 * HTTP/2 control frames), counted at the socket rather than estimated. One virtual thread per
 * direction per connection. Used only for the wire-size runs, so its extra hop never touches a
 * latency figure.
 */
public final class ByteCountingProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final LongAdder upstreamBytes = new LongAdder(); // client → server
  private final LongAdder downstreamBytes = new LongAdder(); // server → client
  private final AtomicLong connections = new AtomicLong();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  /** Listens on a free loopback port and relays to {@code 127.0.0.1:targetPort}. */
  public ByteCountingProxy(int targetPort) throws IOException {
    this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
    this.listener = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().name("proxy-accept").start(this::acceptLoop);
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** Bytes relayed from clients to the server so far. */
  public long upstreamBytes() {
    return upstreamBytes.sum();
  }

  /** Bytes relayed from the server to clients so far. */
  public long downstreamBytes() {
    return downstreamBytes.sum();
  }

  /** TCP connections accepted so far. */
  public long connections() {
    return connections.get();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      connections.incrementAndGet();
      Thread.ofVirtual().start(() -> relay(client));
    }
  }

  private void relay(Socket client) {
    Socket server = new Socket();
    try {
      client.setTcpNoDelay(true);
      server.setTcpNoDelay(true);
      server.connect(target);
    } catch (IOException e) {
      closeQuietly(client);
      closeQuietly(server);
      return;
    }
    open.add(client);
    open.add(server);
    Thread up = Thread.ofVirtual().start(() -> pump(client, server, upstreamBytes));
    pump(server, client, downstreamBytes);
    try {
      up.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    open.remove(client);
    open.remove(server);
    closeQuietly(client);
    closeQuietly(server);
  }

  /** Copies until end of stream, then half-closes the other side so the peer sees the end too. */
  private static void pump(Socket from, Socket to, LongAdder counter) {
    byte[] buffer = new byte[64 * 1024];
    try {
      InputStream in = from.getInputStream(); // closing a socket's stream would close the socket
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        counter.add(n);
      }
      to.shutdownOutput();
    } catch (IOException e) {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    open.forEach(ByteCountingProxy::closeQuietly);
  }
}
