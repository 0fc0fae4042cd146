package io.inferd.server.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API keys the server accepts, held only as SHA-256 hashes and compared in constant time.
 * Entries (one per line in a file, comma-separated in an environment variable; {@code #} starts a
 * comment):
 *
 * <pre>
 *   ID=SECRET            a named key
 *   ID=sha256:HEX        a named key given by its hash, so the file need not hold the secret
 *   SECRET               a key named by the first 8 hex digits of its hash
 * </pre>
 *
 * A file is re-read when its content changes (its SHA-256, checked at most once a second), so keys
 * rotate without restart. Reloads fail closed: a file that cannot be fully parsed, read, or that
 * was deleted leaves no file key valid, unless {@link OnError#KEEP_PREVIOUS} was chosen explicitly
 * (then the old keys stay and every check logs an error). Keys from the environment never change.
 */
public final class ApiKeyStore {
  private static final Logger log = LoggerFactory.getLogger(ApiKeyStore.class);
  private static final String HASH_PREFIX = "sha256:";

  /** What a reload does with a file it cannot fully read or parse. */
  public enum OnError {
    /** No file key is accepted until the file is valid again (the default: fails closed). */
    REJECT_ALL,
    /** The keys read before stay valid; an error is logged at every check. */
    KEEP_PREVIOUS
  }

  private final Path file;
  private final List<Key> fixedKeys;
  private final OnError onError;
  private volatile List<Key> fileKeys = List.of();
  private volatile long checkedAtMillis;
  private volatile String fileVersion = "";
  private volatile String brokenVersion = "";

  private ApiKeyStore(Path file, List<Key> fixedKeys, OnError onError) {
    this.file = file;
    this.fixedKeys = fixedKeys;
    this.onError = onError;
    if (file != null) {
      reload();
    }
  }

  /** No keys at all: authentication is off. */
  public static ApiKeyStore disabled() {
    return new ApiKeyStore(null, List.of(), OnError.REJECT_ALL);
  }

  /**
   * Keys from {@code file} (may be null) and from comma-separated {@code entries} (may be null).
   */
  public static ApiKeyStore of(Path file, String entries) {
    return of(file, entries, OnError.REJECT_ALL);
  }

  /** As {@link #of(Path, String)}, choosing what a broken or deleted file means after start-up. */
  public static ApiKeyStore of(Path file, String entries, OnError onError) {
    requireNonNull(onError, "onError");
    List<Key> fixed = new ArrayList<>();
    if (entries != null) {
      int n = 0;
      for (String entry : entries.split(",")) {
        n++;
        parse(entry, "INFERD_API_KEYS entry " + n).ifPresent(fixed::add);
      }
    }
    if (file != null && !Files.isReadable(file)) {
      throw new IllegalArgumentException("API keys file not readable: " + file.toAbsolutePath());
    }
    return new ApiKeyStore(file, List.copyOf(fixed), onError);
  }

  /** Whether any key is configured; without keys every call is let in. */
  public boolean enabled() {
    return file != null || !fixedKeys.isEmpty();
  }

  public int size() {
    refreshIfChanged();
    return fixedKeys.size() + fileKeys.size();
  }

  /** The id of the key, if {@code presented} is one of the keys. */
  public Optional<String> authenticate(String presented) {
    if (presented == null || presented.isEmpty()) {
      return Optional.empty();
    }
    refreshIfChanged();
    byte[] hash = sha256(presented);
    String match = null;
    // Compare against every key, without stopping early, so timing says nothing about which
    // matched.
    for (List<Key> keys : List.of(fixedKeys, fileKeys)) {
      for (Key key : keys) {
        if (MessageDigest.isEqual(hash, key.hash()) && match == null) {
          match = key.id();
        }
      }
    }
    return Optional.ofNullable(match);
  }

  private void refreshIfChanged() {
    if (file == null) {
      return;
    }
    long now = System.currentTimeMillis();
    if (now - checkedAtMillis < 1000) {
      return;
    }
    checkedAtMillis = now;
    if (!version().equals(fileVersion)) {
      reload();
    } else if (onError == OnError.KEEP_PREVIOUS && fileVersion.equals(brokenVersion)) {
      log.error("API keys file {} is still broken; serving the keys read before it broke", file);
    }
  }

  /** The content's hash: an edit that keeps size and modification time is still seen. */
  private String version() {
    try {
      return contentHash(Files.readAllBytes(file));
    } catch (IOException | UncheckedIOException e) {
      return "unreadable";
    }
  }

  private static String contentHash(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /**
   * Re-reads the file now. A broken, unreadable or deleted file accepts no file key, unless {@link
   * OnError#KEEP_PREVIOUS} was chosen; at start-up it stops the server either way.
   */
  public synchronized void reload() {
    if (file == null) {
      return;
    }
    boolean startUp = fileVersion.isEmpty();
    String version = version();
    String problem;
    try {
      byte[] content = Files.readAllBytes(file);
      List<Key> keys = new ArrayList<>();
      int lineNumber = 0;
      for (String line : new String(content, UTF_8).split("\\R", -1)) {
        lineNumber++;
        parse(line, file.getFileName() + ":" + lineNumber).ifPresent(keys::add);
      }
      fileKeys = List.copyOf(keys);
      fileVersion = contentHash(content);
      brokenVersion = "";
      log.info("loaded {} API keys from {}", keys.size(), file);
      return;
    } catch (IllegalArgumentException e) {
      if (startUp) {
        throw e; // at start-up a broken file stops the server
      }
      problem = "is invalid: " + e.getMessage();
    } catch (NoSuchFileException e) {
      problem = "was deleted";
    } catch (IOException | UncheckedIOException e) {
      problem = "cannot be read: " + e.getMessage();
    }
    fileVersion = version;
    brokenVersion = version;
    if (onError == OnError.KEEP_PREVIOUS) {
      log.error(
          "API keys file {} {}; KEEPING the {} keys read before (--api-keys-on-error=keep)",
          file,
          problem,
          fileKeys.size());
      return;
    }
    fileKeys = List.of();
    log.error(
        "API keys file {} {}; NO key from it is accepted until it is fixed"
            + " (--api-keys-on-error=keep keeps the old ones)",
        file,
        problem);
  }

  private static Optional<Key> parse(String raw, String where) {
    String entry = raw.strip();
    int comment = entry.indexOf('#');
    if (comment >= 0) {
      entry = entry.substring(0, comment).strip();
    }
    if (entry.isEmpty()) {
      return Optional.empty();
    }
    int eq = entry.indexOf('=');
    String id = eq > 0 ? entry.substring(0, eq).strip() : null;
    String secret = eq > 0 ? entry.substring(eq + 1).strip() : entry;
    byte[] hash;
    if (secret.startsWith(HASH_PREFIX)) {
      String hex = secret.substring(HASH_PREFIX.length());
      if (!hex.matches("[0-9a-fA-F]{64}")) {
        throw new IllegalArgumentException(where + ": sha256: must be followed by 64 hex digits");
      }
      hash = HexFormat.of().parseHex(hex);
    } else {
      hash = sha256(secret);
    }
    if (id == null) {
      id = HexFormat.of().formatHex(hash).substring(0, 8);
    }
    return Optional.of(new Key(id, hash));
  }

  static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private record Key(String id, byte[] hash) {}
}
