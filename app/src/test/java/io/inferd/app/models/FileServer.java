package io.inferd.app.models;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face style file server on 127.0.0.1, port 0: {@code /{repo}/resolve/{rev}/{file}}
 * answers with a 302 to {@code /cdn/{file}} (carrying {@code X-Linked-Etag}, as the Hub does for
 * LFS files), which serves the bytes with {@code Range} support. It can break the first N transfers
 * after a number of bytes.
 */
final class FileServer implements AutoCloseable {
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

  final HttpServer server;
  final Map<String, byte[]> files = new ConcurrentHashMap<>();
  final Map<String, String> linkedEtags = new ConcurrentHashMap<>();

  /** Every request: "METHOD PATH range=… auth=…". */
  final List<String> requests = new CopyOnWriteArrayList<>();

  /** Transfers still to break, and after how many bytes. */
  final AtomicInteger breaksLeft = new AtomicInteger();

  volatile int breakAfterBytes;
  volatile boolean ignoreRange;

  /** Transfers still to stall (send some bytes, then nothing), and after how many bytes. */
  final AtomicInteger stallsLeft = new AtomicInteger();

  volatile int stallAfterBytes;

  /** Chunked answers without Content-Length, and no X-Linked-Etag. */
  volatile boolean noLengthNoChecksum;

  FileServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    // a stalled transfer must not hold up the resumed one
    server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Publishes {@code bytes} as {@code repo/file}, with its real SHA-256 as X-Linked-Etag. */
  FileServer serve(String repo, String file, byte[] bytes) {
    files.put(file, bytes);
    linkedEtags.put(repo + "/" + file, sha256(bytes));
    return this;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String range = ex.getRequestHeaders().getFirst("Range");
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    requests.add(ex.getRequestMethod() + " " + path + " range=" + range + " auth=" + auth);
    try (ex) {
      int resolve = path.indexOf("/resolve/");
      if (resolve > 0) {
        String repo = path.substring(1, resolve);
        String rest = path.substring(resolve + "/resolve/".length());
        String file = rest.substring(rest.indexOf('/') + 1);
        if (!files.containsKey(file) || !linkedEtags.containsKey(repo + "/" + file)) {
          notFound(ex);
          return;
        }
        if (!noLengthNoChecksum)
          ex.getResponseHeaders()
              .add("X-Linked-Etag", "\"" + linkedEtags.get(repo + "/" + file) + "\"");
        ex.getResponseHeaders().add("Location", "/cdn/" + file);
        ex.sendResponseHeaders(302, -1);
        return;
      }
      if (!path.startsWith("/cdn/") || !files.containsKey(path.substring(5))) {
        notFound(ex);
        return;
      }
      byte[] bytes = files.get(path.substring(5));
      int from = 0;
      Matcher m = range == null || ignoreRange ? null : RANGE.matcher(range);
      if (m != null && m.matches()) {
        from = Integer.parseInt(m.group(1));
        if (from >= bytes.length) {
          ex.getResponseHeaders().add("Content-Range", "bytes */" + bytes.length);
          ex.sendResponseHeaders(416, -1);
          return;
        }
        ex.getResponseHeaders()
            .add("Content-Range", "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
        ex.sendResponseHeaders(206, bytes.length - from);
      } else {
        ex.sendResponseHeaders(200, noLengthNoChecksum ? 0 : bytes.length);
      }
      OutputStream body = ex.getResponseBody();
      int length = bytes.length - from;
      if (breaksLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        int n = Math.min(length, breakAfterBytes);
        body.write(bytes, from, n);
        body.flush();
        // Too few bytes for the Content-Length: the server drops the connection.
        throw new IOException("test server: breaking the transfer after " + n + " bytes");
      }
      if (stallsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        body.write(bytes, from, Math.min(length, stallAfterBytes));
        body.flush();
        try {
          Thread.sleep(30_000); // a peer that stops sending but keeps the connection open
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return;
      }
      body.write(bytes, from, length);
    }
  }

  private static void notFound(HttpExchange ex) throws IOException {
    byte[] body = "Entry not found".getBytes(UTF_8);
    ex.sendResponseHeaders(404, body.length);
    ex.getResponseBody().write(body);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
