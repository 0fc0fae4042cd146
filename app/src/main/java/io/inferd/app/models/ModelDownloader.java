package io.inferd.app.models;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads one file of a Hugging Face style repository ({@code
 * {endpoint}/{repo}/resolve/{revision}/{file}}) into a local folder: into {@code NAME.part} first,
 * resuming an earlier {@code .part} with an HTTP {@code Range} request, then verified against a
 * SHA-256 and renamed to {@code NAME}. A checksum mismatch deletes the download.
 *
 * <p>Redirects are followed here rather than by the {@link HttpClient}, so that the access token
 * goes to the endpoint's host only (Hugging Face redirects LFS files to a CDN) and the {@code
 * X-Linked-Etag} of the endpoint's own answer (the file's SHA-256) is not lost.
 */
public final class ModelDownloader {
  private static final int MAX_REDIRECTS = 10;
  private static final int BUFFER_BYTES = 1 << 16;
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern CONTENT_RANGE =
      Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)", Pattern.CASE_INSENSITIVE);
  private static final Pattern UNSATISFIED_RANGE =
      Pattern.compile("bytes \\*/(\\d+)", Pattern.CASE_INSENSITIVE);
  private static final Pattern REPO =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9._-]+)?");

  private final HttpClient http;
  private final URI endpoint;
  private final Optional<String> token;
  private final Duration timeout;
  private final Duration readTimeout;
  private final int retries;
  private final Duration retryDelay;

  private ModelDownloader(Builder b) {
    this.http =
        b.http != null
            ? b.http
            : HttpClient.newBuilder()
                .connectTimeout(b.timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    this.endpoint = b.endpoint;
    this.token = b.token;
    this.timeout = b.timeout;
    this.readTimeout = b.readTimeout;
    this.retries = b.retries;
    this.retryDelay = b.retryDelay;
  }

  public static Builder builder(URI endpoint) {
    return new Builder(endpoint);
  }

  /** The URL of {@code file} in {@code repo} at {@code revision}. */
  public URI url(String repo, String revision, String file) {
    requireNonNull(repo, "repo");
    requireNonNull(revision, "revision");
    requireNonNull(file, "file");
    if (!REPO.matcher(repo).matches() || repo.contains("..")) {
      throw new IllegalArgumentException(
          "repository: '"
              + repo
              + "' (expected: OWNER/NAME, e.g. Qwen/Qwen2.5-0.5B-Instruct-GGUF)");
    }
    if (revision.isBlank()) {
      throw new IllegalArgumentException("revision: empty (expected: a branch, tag or commit)");
    }
    checkFileName(file);
    String base = endpoint.toString().replaceAll("/+$", "");
    StringBuilder path = new StringBuilder();
    for (String segment : file.split("/")) {
      path.append('/').append(encode(segment));
    }
    return URI.create(base + "/" + repo + "/resolve/" + encode(revision) + path);
  }

  private static void checkFileName(String file) {
    if (file.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new IllegalArgumentException(
          "file: " + file.replaceAll("\\p{Cntrl}", "?") + " (expected: no control characters)");
    }
    if (file.isBlank() || file.startsWith("/") || file.endsWith("/") || file.contains("\\")) {
      throw new IllegalArgumentException(
          "file: '" + file + "' (expected: a path inside the repository)");
    }
    for (String segment : file.split("/")) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException(
            "file: '" + file + "' (expected: a path inside the repository, without '.' or '..')");
      }
    }
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * Downloads {@code file} of {@code repo} at {@code revision} to {@code dir/BASENAME}, where
   * BASENAME is the last segment of {@code file}.
   *
   * @param expectedSha256 the file's SHA-256 in hex; when empty, the server's {@code X-Linked-Etag}
   *     or {@code ETag} is used if it is a SHA-256, else the file is not verified
   * @throws DownloadException when the server refuses, the connection fails more than the retries
   *     allow (the {@code .part} file stays, to resume), or the checksum does not match (nothing
   *     stays)
   */
  public Result download(
      String repo,
      String revision,
      String file,
      Path dir,
      Optional<String> expectedSha256,
      ProgressListener progress)
      throws DownloadException, InterruptedException {
    requireNonNull(dir, "dir");
    requireNonNull(expectedSha256, "expectedSha256");
    requireNonNull(progress, "progress");
    URI url = url(repo, revision, file);
    Optional<String> expected = expectedSha256.map(s -> s.strip().toLowerCase(Locale.ROOT));
    if (expected.isPresent() && !SHA256.matcher(expected.get()).matches()) {
      throw new IllegalArgumentException(
          "sha256: '" + expectedSha256.get() + "' (expected: 64 hexadecimal digits)");
    }
    String name = file.substring(file.lastIndexOf('/') + 1);
    Path target = dir.resolve(name);
    Path part = dir.resolve(name + ".part");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new DownloadException("cannot create the models directory " + dir + ": " + e, e);
    }
    if (Files.isRegularFile(target)) {
      return alreadyPresent(target, expected);
    }
    try (DownloadLock lock =
        DownloadLock.acquire(DownloadLock.fileFor(dir, name), name + " into " + dir)) {
      if (Files.isRegularFile(target)) { // another pull finished it just before we locked
        return alreadyPresent(target, expected);
      }
      return downloadLocked(url, part, target, expected, progress);
    }
  }

  private Result downloadLocked(
      URI url, Path part, Path target, Optional<String> expected, ProgressListener progress)
      throws DownloadException, InterruptedException {
    Optional<String> published = Optional.empty();
    for (int attempt = 0; ; attempt++) {
      try {
        Transfer t = transfer(url, part, progress, expected.isPresent() || published.isPresent());
        if (t.publishedSha256.isPresent()) {
          published = t.publishedSha256;
        }
        if (t.complete) {
          break;
        }
        throw new IOException("the connection closed after " + t.size + " bytes");
      } catch (IOException e) {
        if (e instanceof Unreachable unreachable && !unreachable.retryable()) {
          attempt = retries; // DNS failure or refusal: retrying in a second does not help
        }
        if (attempt >= retries) {
          long have = sizeOrZero(part);
          throw new DownloadException(
              "download of "
                  + url
                  + " failed: "
                  + describe(e)
                  + (have > 0
                      ? " ("
                          + have
                          + " bytes kept in "
                          + part
                          + "; run the same pull again to resume)"
                      : ""),
              e);
        }
        progress.retrying(
            attempt + 1,
            retries,
            e instanceof Unreachable
                ? describe(e) + "; retrying"
                : "connection lost (" + describe(e) + "); resuming");
        Thread.sleep(retryDelay.toMillis() << Math.min(attempt, 4));
      }
    }

    String actual = sha256(part);
    Optional<String> wanted = expected.isPresent() ? expected : published;
    if (wanted.isPresent() && !wanted.get().equals(actual)) {
      deleteQuietly(part);
      throw new ChecksumMismatchException(
          "checksum mismatch for "
              + url
              + ": expected sha256 "
              + wanted.get()
              + (expected.isPresent() ? " (--sha256)" : " (published by the server)")
              + ", got "
              + actual
              + "; the download was deleted");
    }
    try {
      move(part, target);
    } catch (IOException e) {
      throw new DownloadException("cannot move " + part + " to " + target + ": " + e, e);
    }
    return new Result(target, sizeOrZero(target), actual, wanted.isPresent(), false);
  }

  private Result alreadyPresent(Path target, Optional<String> expected) throws DownloadException {
    String actual = sha256(target);
    if (expected.isPresent() && !expected.get().equals(actual)) {
      throw new ChecksumMismatchException(
          target
              + " already exists but its sha256 is "
              + actual
              + ", not "
              + expected.get()
              + " (--sha256); delete it to download again");
    }
    return new Result(target, sizeOrZero(target), actual, expected.isPresent(), true);
  }

  /** One HTTP exchange (after redirects) that appends to {@code part}. */
  private Transfer transfer(URI url, Path part, ProgressListener progress, boolean verifiable)
      throws IOException, InterruptedException, DownloadException {
    long have = sizeOrZero(part);
    Optional<String> published = Optional.empty();
    URI current = url;
    HttpResponse<InputStream> response = null;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(current)
              .timeout(timeout)
              .header("User-Agent", "inferd/0.1 (model pull)")
              .header("Accept-Encoding", "identity")
              .GET();
      if (have > 0) {
        request.header("Range", "bytes=" + have + "-");
      }
      if (token.isPresent() && sameOrigin(current, url)) {
        request.header("Authorization", "Bearer " + token.get());
      }
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (java.net.ConnectException e) { // never connected: not a broken transfer
        throw new Unreachable(current, e);
      }
      if (published.isEmpty()) {
        published = publishedSha256(response.headers());
      }
      int status = response.statusCode();
      if (status >= 300 && status < 400 && status != 304) {
        Optional<String> location = response.headers().firstValue("Location");
        response.body().close();
        if (location.isEmpty()) {
          throw new DownloadException(
              "HTTP " + status + " without a Location header from " + current);
        }
        current = current.resolve(location.get());
        continue;
      }
      break;
    }
    if (response == null || response.statusCode() / 100 == 3) {
      throw new DownloadException(
          "too many redirects (more than " + MAX_REDIRECTS + ") for " + url);
    }
    int status = response.statusCode();
    HttpHeaders headers = response.headers();
    try (InputStream body = response.body()) {
      long start;
      long total;
      switch (status) {
        case 200 -> {
          start = 0; // the server sent the whole file: start over
          total = headers.firstValueAsLong("Content-Length").orElse(-1);
        }
        case 206 -> {
          Matcher m = CONTENT_RANGE.matcher(headers.firstValue("Content-Range").orElse(""));
          if (!m.matches() || Long.parseLong(m.group(1)) != have) {
            // A range we did not ask for: drop what we have and let the next attempt start over.
            Files.deleteIfExists(part);
            throw new IOException(
                "the server answered range '"
                    + headers.firstValue("Content-Range").orElse("")
                    + "' to 'bytes="
                    + have
                    + "-'");
          }
          start = have;
          total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
        }
        case 416 -> {
          Matcher m = UNSATISFIED_RANGE.matcher(headers.firstValue("Content-Range").orElse(""));
          if (m.matches() && Long.parseLong(m.group(1)) == have) {
            return new Transfer(true, have, published); // the .part is already whole
          }
          Files.deleteIfExists(part);
          throw new IOException("the server cannot resume at byte " + have + " (HTTP 416)");
        }
        default -> throw refused(status, url, current);
      }
      if (total < 0 && published.isEmpty() && !verifiable) {
        // A cut transfer would look complete: nothing could tell.
        throw new DownloadException(
            "the server sent neither the file's length nor its SHA-256 for "
                + url
                + "; pass the expected --sha256 so that a cut transfer is not taken as complete");
      }
      progress.started(start, total);
      long size = start;
      try (FileChannel out =
              FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          StallWatch watch = new StallWatch(readTimeout)) {
        out.truncate(start);
        out.position(start);
        byte[] buffer = new byte[BUFFER_BYTES];
        try {
          for (int n; (n = body.read(buffer)) >= 0; ) {
            if (Thread.interrupted()) {
              if (watch.stalled()) {
                throw stallOf(size);
              }
              throw new InterruptedException();
            }
            watch.progressed();
            ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
            while (chunk.hasRemaining()) {
              out.write(chunk);
            }
            size += n;
            progress.advanced(size, total);
          }
        } catch (IOException e) {
          throw watch.stalled() ? stallOf(size) : e;
        }
      }
      return new Transfer(total < 0 || size == total, size, published);
    }
  }

  private IOException stallOf(long size) {
    return new IOException(
        "no data for "
            + readTimeout.toSeconds()
            + " s after "
            + size
            + " bytes (transfer stalled)");
  }

  private DownloadException refused(int status, URI url, URI current) {
    String where = url.equals(current) ? url.toString() : url + " (redirected to " + current + ")";
    return switch (status) {
      case 404 ->
          new DownloadException(
              "not found (HTTP 404): "
                  + where
                  + " — check the repository, the file name and --revision");
      case 401, 403 ->
          new DownloadException(
              "access denied (HTTP "
                  + status
                  + "): "
                  + where
                  + (token.isPresent()
                      ? " — HF_TOKEN was sent; check that it may read this repository"
                      : " — gated or private repositories need an access token in HF_TOKEN"));
      default -> new DownloadException("HTTP " + status + " from " + where);
    };
  }

  /**
   * Hugging Face answers {@code /resolve/} with {@code X-Linked-Etag: "<sha256>"} for LFS files; a
   * plain {@code ETag} may also be a SHA-256. Anything else (a git blob id, an MD5) is ignored.
   */
  static Optional<String> publishedSha256(HttpHeaders headers) {
    for (String name : new String[] {"X-Linked-Etag", "ETag"}) {
      Optional<String> value = headers.firstValue(name).map(ModelDownloader::unquoteEtag);
      if (value.isPresent() && SHA256.matcher(value.get()).matches()) {
        return value;
      }
    }
    return Optional.empty();
  }

  private static String unquoteEtag(String etag) {
    String v = etag.strip();
    if (v.startsWith("W/")) {
      v = v.substring(2);
    }
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      v = v.substring(1, v.length() - 1);
    }
    return v.toLowerCase(Locale.ROOT);
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost() != null
        && a.getHost().equalsIgnoreCase(b.getHost())
        && a.getPort() == b.getPort();
  }

  static String sha256(Path file) throws DownloadException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[BUFFER_BYTES];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        digest.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new DownloadException("cannot read " + file + ": " + e, e);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static long sizeOrZero(Path file) {
    try {
      return Files.isRegularFile(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // best effort: the caller reports the checksum error, which matters more
    }
  }

  private static String describe(IOException e) {
    if (e instanceof Unreachable unreachable) {
      return unreachable.describe();
    }
    if (e instanceof InterruptedIOException) {
      return "timed out";
    }
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  private record Transfer(boolean complete, long size, Optional<String> publishedSha256) {}

  /** What a download produced. */
  public record Result(
      Path file, long size, String sha256, boolean verified, boolean alreadyPresent) {}

  /** Told about a download's progress; called on the downloading thread. */
  public interface ProgressListener {
    ProgressListener NONE = new ProgressListener() {};

    /**
     * Bytes are about to arrive, the first being byte {@code from}; {@code total} is -1 if unknown.
     */
    default void started(long from, long total) {}

    /** {@code done} bytes of {@code total} (-1 if unknown) are in the file. */
    default void advanced(long done, long total) {}

    /**
     * Attempt {@code attempt} of {@code retries} after {@code reason}, which says what failed and
     * what happens next ({@code "connection lost (…); resuming"}, {@code "cannot connect to …;
     * retrying"}).
     */
    default void retrying(int attempt, int retries, String reason) {}
  }

  /** Options of a {@link ModelDownloader}. */
  public static final class Builder {
    private final URI endpoint;
    private Optional<String> token = Optional.empty();
    private Duration timeout = Duration.ofSeconds(30);
    private Duration readTimeout = Duration.ofSeconds(60);
    private int retries = 3;
    private Duration retryDelay = Duration.ofSeconds(1);
    private HttpClient http;

    private Builder(URI endpoint) {
      this.endpoint = requireNonNull(endpoint, "endpoint");
      String scheme = endpoint.getScheme();
      if (scheme == null
          || !(scheme.equalsIgnoreCase("https") || scheme.equalsIgnoreCase("http"))
          || endpoint.getHost() == null) {
        throw new IllegalArgumentException(
            "endpoint: '"
                + endpoint
                + "' (expected: an http(s) URL such as https://huggingface.co)");
      }
    }

    /**
     * A bearer token (Hugging Face access token) sent to the endpoint's host, never to redirects
     * elsewhere.
     */
    public Builder token(Optional<String> token) {
      this.token = requireNonNull(token, "token").filter(t -> !t.isBlank());
      return this;
    }

    /** Connect timeout, and the longest wait for response headers. */
    public Builder timeout(Duration timeout) {
      this.timeout = requireNonNull(timeout, "timeout");
      return this;
    }

    /** The longest a transfer may send nothing before it is resumed (or given up) as stalled. */
    public Builder readTimeout(Duration readTimeout) {
      this.readTimeout = requireNonNull(readTimeout, "readTimeout");
      return this;
    }

    /** How many times a failed transfer is resumed before giving up (0: never). */
    public Builder retries(int retries, Duration firstDelay) {
      if (retries < 0) {
        throw new IllegalArgumentException("retries: " + retries + " (expected: >= 0)");
      }
      this.retries = retries;
      this.retryDelay = requireNonNull(firstDelay, "firstDelay");
      return this;
    }

    Builder httpClient(HttpClient http) {
      this.http = requireNonNull(http, "http");
      return this;
    }

    public ModelDownloader build() {
      return new ModelDownloader(this);
    }
  }

  /** A download that could not complete; the message says what and where. */
  public static class DownloadException extends Exception {
    DownloadException(String message) {
      super(message);
    }

    DownloadException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The downloaded bytes do not have the expected SHA-256; nothing was kept. */
  public static final class ChecksumMismatchException extends DownloadException {
    ChecksumMismatchException(String message) {
      super(message);
    }
  }
}
