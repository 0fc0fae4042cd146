package io.inferd.server.rest;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;
import io.helidon.webserver.http1.Http1Config;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * An HTTP/1.0 connection as Helidon's HTTP/1.1 connection sees it (see {@link Http10Selector}).
 *
 * <p>Requests: each request line's {@code HTTP/1.0} reads {@code HTTP/1.1}; a request without
 * keep-alive gets {@code Connection: close} (and the connection reads as ended after it), one
 * without {@code Host} gets the listener's address, and {@code Expect} is dropped (HTTP/1.0 has no
 * 100-continue). Bodies pass as they are, framed by their {@code Content-Length}; a request with
 * {@code Transfer-Encoding}, which HTTP/1.0 does not have, is passed on unframed and ends the
 * connection. Responses: Helidon's status line ({@code HTTP/1.1}, as RFC 9110 asks of a 1.1 server)
 * and {@code Content-Length} bodies go out unchanged; a chunked (streamed) response loses its chunk
 * framing and {@code Transfer-Encoding}, says {@code Connection: close}, and ends the connection,
 * which delimits its body.
 */
final class Http10Context implements ConnectionContext {
  private static final byte[] HTTP_1_0_EOL = " HTTP/1.0\r\n".getBytes(US_ASCII);
  private static final byte[] HTTP_1_1_EOL = " HTTP/1.1\r\n".getBytes(US_ASCII);
  private static final byte[] CRLF = {'\r', '\n'};

  private enum In {
    REQUEST_LINE,
    HEADERS,
    BODY,
    /** Passed on as it comes: Helidon frames (or refuses) what follows. */
    RAW
  }

  private enum Out {
    PASS,
    HEAD,
    CHUNK_SIZE,
    CHUNK_DATA,
    CHUNK_END,
    TRAILERS
  }

  private final ConnectionContext connection;
  private final DataReader source;
  private final DataReader reader;
  private final DataWriter writer;
  private final int maxLine;
  private final int maxHeaders;

  // what the client sent (the connection's thread)
  private byte[] in = new byte[0];
  private int inPos;
  private In inPhase = In.REQUEST_LINE;
  private long bodyLeft;

  /**
   * The exchange in progress is the connection's last: once its response has begun, what the client
   * sent after the headers (a body nobody read, a next request) reads as the end.
   */
  private volatile boolean lastExchange;

  private volatile boolean responded;

  // what goes back (guarded by this)
  private Out outPhase = Out.PASS;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private long chunkLeft;
  private int chunkEndLeft;

  Http10Context(ConnectionContext connection, Http1Config config) {
    this.connection = connection;
    this.source = connection.dataReader();
    this.reader = DataReader.create(this::nextRequestBytes);
    this.writer = new Responses(connection.dataWriter());
    this.maxLine = config.maxPrologueLength() + 2;
    this.maxHeaders = config.maxHeadersSize();
  }

  // ---- requests ----

  /** The next bytes for Helidon's reader, or null for the end of the stream. */
  private byte[] nextRequestBytes() {
    if (lastExchange && responded) {
      return null;
    }
    switch (inPhase) {
      case RAW -> {
        return take(Long.MAX_VALUE);
      }
      case BODY -> {
        byte[] part = take(bodyLeft);
        if (part != null) {
          bodyLeft -= part.length;
          if (bodyLeft == 0) {
            inPhase = In.REQUEST_LINE;
          }
        }
        return part;
      }
      case REQUEST_LINE -> {
        return lastExchange ? null : requestLine();
      }
      case HEADERS -> {
        return headers();
      }
      default -> throw new IllegalStateException(inPhase.name());
    }
  }

  private byte[] requestLine() {
    byte[] line = until(CRLF, maxLine);
    if (line == null) {
      return null;
    }
    if (!endsWith(line, HTTP_1_0_EOL)) {
      inPhase = In.RAW; // not HTTP/1.0 (or too long): Helidon answers it as it would
      return line;
    }
    System.arraycopy(HTTP_1_1_EOL, 0, line, line.length - HTTP_1_1_EOL.length, HTTP_1_1_EOL.length);
    inPhase = In.HEADERS;
    responded = false;
    return line;
  }

  private byte[] headers() {
    var block = new ByteArrayOutputStream();
    while (true) {
      byte[] line = until(CRLF, maxHeaders - block.size());
      if (line == null) {
        return null;
      }
      block.writeBytes(line);
      if (!endsWith(line, CRLF)) {
        inPhase = In.RAW; // too large: Helidon refuses it
        return block.toByteArray();
      }
      if (line.length == 2) {
        return rewriteHeaders(block.toByteArray());
      }
    }
  }

  /** {@code block}: the header lines and the empty line that ends them. */
  private byte[] rewriteHeaders(byte[] block) {
    String text = new String(block, US_ASCII);
    String[] lines = text.substring(0, text.length() - 2).split("\r\n", -1);
    var out = new StringBuilder(block.length + 64);
    boolean keepAlive = false;
    boolean close = false;
    boolean host = false;
    boolean unframed = false;
    long length = 0;
    for (String line : lines) {
      if (line.isEmpty()) {
        continue;
      }
      int colon = line.indexOf(':');
      String name = colon < 0 ? "" : line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
      String value = colon < 0 ? "" : line.substring(colon + 1).strip();
      switch (name) {
        case "expect" -> {
          continue; // RFC 9110 10.1.1: an HTTP/1.0 request's 100-continue is ignored
        }
        case "host" -> host = true;
        case "transfer-encoding" -> unframed = true; // RFC 9112 6.1: faulty in HTTP/1.0
        case "content-length" -> {
          try {
            long declared = Long.parseLong(value);
            unframed |= declared < 0 || (length != 0 && declared != length);
            length = declared;
          } catch (NumberFormatException e) {
            unframed = true; // Helidon answers 400
          }
        }
        case "connection" -> {
          for (String token : value.split(",")) {
            keepAlive |= token.strip().equalsIgnoreCase("keep-alive");
            close |= token.strip().equalsIgnoreCase("close");
          }
        }
        default -> {}
      }
      out.append(line).append("\r\n");
    }
    if (!host) {
      out.append("Host: ").append(authority()).append("\r\n");
    }
    boolean persistent = keepAlive && !close && !unframed;
    if (!persistent) {
      lastExchange = true;
      if (!close) {
        out.append("Connection: close\r\n");
      }
    }
    out.append("\r\n");
    if (unframed) {
      inPhase = In.RAW;
    } else if (length > 0) {
      inPhase = In.BODY;
      bodyLeft = length;
    } else {
      inPhase = In.REQUEST_LINE;
    }
    return out.toString().getBytes(US_ASCII);
  }

  private String authority() {
    if (connection.localPeer().address() instanceof InetSocketAddress address) {
      String host = address.getAddress().getHostAddress();
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }
    return "localhost";
  }

  /** Bytes through the first CRLF (at most {@code max}); null if the client left first. */
  private byte[] until(byte[] crlf, int max) {
    var out = new ByteArrayOutputStream();
    byte last = 0;
    while (true) {
      if (inPos == in.length && !fill()) {
        return null;
      }
      while (inPos < in.length) {
        byte b = in[inPos++];
        out.write(b);
        if ((last == crlf[0] && b == crlf[1]) || out.size() >= max) {
          return out.toByteArray();
        }
        last = b;
      }
    }
  }

  /** Up to {@code max} bytes of what the client sent, waiting for some; null at its end. */
  private byte[] take(long max) {
    if (inPos == in.length && !fill()) {
      return null;
    }
    int n = (int) Math.min(max, in.length - inPos);
    byte[] part = Arrays.copyOfRange(in, inPos, inPos + n);
    inPos += n;
    return part;
  }

  private boolean fill() {
    try {
      source.ensureAvailable();
    } catch (DataReader.InsufficientDataAvailableException e) {
      return false;
    }
    in = source.readBytes(source.available());
    inPos = 0;
    return true;
  }

  private static boolean endsWith(byte[] bytes, byte[] suffix) {
    return bytes.length >= suffix.length
        && Arrays.equals(
            bytes, bytes.length - suffix.length, bytes.length, suffix, 0, suffix.length);
  }

  // ---- responses ----

  /** Called before each response's head is written; a chunked one is sent close-delimited. */
  synchronized void responseHead(boolean chunked) {
    responded = true;
    pending.reset();
    outPhase = chunked ? Out.HEAD : Out.PASS;
    if (chunked) {
      lastExchange = true;
    }
  }

  /** What to send for {@code data}, with chunk framing removed where a response is chunked. */
  private synchronized BufferData outgoing(BufferData data) {
    if (outPhase == Out.PASS) {
      return data;
    }
    byte[] bytes = new byte[data.available()];
    data.read(bytes);
    var out = new ByteArrayOutputStream(bytes.length);
    for (int i = 0; i < bytes.length; i++) {
      byte b = bytes[i];
      switch (outPhase) {
        case PASS -> out.write(b);
        case HEAD -> {
          pending.write(b);
          if (b == '\n' && endsWith(pending.toByteArray(), new byte[] {'\r', '\n', '\r', '\n'})) {
            out.writeBytes(closeDelimitedHead(pending.toString(US_ASCII)));
            pending.reset();
            outPhase = Out.CHUNK_SIZE;
          }
        }
        case CHUNK_SIZE -> {
          pending.write(b);
          if (b == '\n') {
            String size = pending.toString(US_ASCII).strip();
            int extension = size.indexOf(';');
            chunkLeft = Long.parseLong(extension < 0 ? size : size.substring(0, extension), 16);
            pending.reset();
            outPhase = chunkLeft == 0 ? Out.TRAILERS : Out.CHUNK_DATA;
          }
        }
        case CHUNK_DATA -> {
          int n = (int) Math.min(chunkLeft, bytes.length - i);
          out.write(bytes, i, n);
          chunkLeft -= n;
          i += n - 1;
          if (chunkLeft == 0) {
            outPhase = Out.CHUNK_END;
            chunkEndLeft = 2;
          }
        }
        case CHUNK_END -> {
          if (--chunkEndLeft == 0) {
            outPhase = Out.CHUNK_SIZE;
          }
        }
        case TRAILERS -> { // not sent: a close-delimited body has none
          pending.write(b);
          if (b == '\n') {
            boolean end = pending.size() == 2;
            pending.reset();
            if (end) {
              outPhase = Out.PASS;
            }
          }
        }
        default -> throw new IllegalStateException(outPhase.name());
      }
    }
    return BufferData.create(out.toByteArray());
  }

  private static byte[] closeDelimitedHead(String head) {
    var out = new StringBuilder(head.length());
    for (String line : head.substring(0, head.length() - 4).split("\r\n", -1)) {
      String lower = line.toLowerCase(Locale.ROOT);
      if (lower.startsWith("transfer-encoding:") || lower.startsWith("connection:")) {
        continue;
      }
      out.append(line).append("\r\n");
    }
    return out.append("Connection: close\r\n\r\n").toString().getBytes(US_ASCII);
  }

  private final class Responses implements DataWriter {
    private final DataWriter delegate;

    Responses(DataWriter delegate) {
      this.delegate = delegate;
    }

    @Override
    public void write(BufferData... buffers) {
      for (BufferData buffer : buffers) {
        write(buffer);
      }
    }

    @Override
    public void write(BufferData buffer) {
      BufferData out = outgoing(buffer);
      if (out.available() > 0) {
        delegate.write(out);
      }
    }

    @Override
    public void writeNow(BufferData... buffers) {
      for (BufferData buffer : buffers) {
        writeNow(buffer);
      }
    }

    @Override
    public void writeNow(BufferData buffer) {
      BufferData out = outgoing(buffer);
      if (out.available() > 0) {
        delegate.writeNow(out);
      }
    }

    @Override
    public void flush() {
      delegate.flush();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  // ---- the rest is the connection's own ----

  @Override
  public DataReader dataReader() {
    return reader;
  }

  @Override
  public DataWriter dataWriter() {
    return writer;
  }

  @Override
  public ListenerContext listenerContext() {
    return connection.listenerContext();
  }

  @Override
  public ExecutorService executor() {
    return connection.executor();
  }

  @Override
  public Router router() {
    return connection.router();
  }

  @Override
  public Optional<ProxyProtocolData> proxyProtocolData() {
    return connection.proxyProtocolData();
  }

  @Override
  public HelidonSocket serverSocket() {
    return connection.serverSocket();
  }

  @Override
  public PeerInfo remotePeer() {
    return connection.remotePeer();
  }

  @Override
  public PeerInfo localPeer() {
    return connection.localPeer();
  }

  @Override
  public boolean isSecure() {
    return connection.isSecure();
  }

  @Override
  public String socketId() {
    return connection.socketId();
  }

  @Override
  public String childSocketId() {
    return connection.childSocketId();
  }
}
