package io.inferd.app.models;

import io.inferd.app.models.ModelDownloader.DownloadException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * An exclusive lock on a small file beside a download ({@code .NAME.lock}), held while one {@code
 * pull} writes {@code NAME.part}, so that a second pull of the same file (another process, or
 * another thread) fails at once instead of writing the same {@code .part}.
 *
 * <p>The lock file is deleted on release, while still locked. A pull that opened it just before
 * could then lock a file that no longer has a name; so each holder writes a token of its own into
 * the file it locked and checks that the name still reads that token, and tries again if not.
 */
final class DownloadLock implements AutoCloseable {
  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private DownloadLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /** The lock file of {@code NAME} in {@code dir}. */
  static Path fileFor(Path dir, String name) {
    return dir.resolve("." + name + ".lock");
  }

  /**
   * Locks {@code file}, or fails at once naming {@code what} when another pull holds it.
   *
   * @throws DownloadException when it is held, or cannot be created
   */
  static DownloadLock acquire(Path file, String what) throws DownloadException {
    for (int attempt = 0; attempt < 10; attempt++) {
      FileChannel channel;
      try {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      } catch (IOException e) {
        throw new DownloadException("cannot create the lock file " + file + ": " + e, e);
      }
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // held by another pull in this JVM
      } catch (IOException e) {
        close(channel);
        throw new DownloadException("cannot lock " + file + ": " + e, e);
      }
      if (lock == null) {
        close(channel);
        throw new DownloadException(
            "another inferd pull is downloading "
                + what
                + " (it holds "
                + file
                + "); wait for it to finish, or stop it and run this pull again");
      }
      try {
        String token = ProcessHandle.current().pid() + "-" + UUID.randomUUID() + "\n";
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(token.getBytes(StandardCharsets.UTF_8)), 0);
        if (token.equals(readOrEmpty(file))) {
          return new DownloadLock(file, channel, lock);
        }
      } catch (IOException e) {
        close(channel);
        throw new DownloadException("cannot write the lock file " + file + ": " + e, e);
      }
      close(channel); // its holder deleted it after we opened it: lock the one there now
    }
    throw new DownloadException("cannot lock " + file + ": it keeps being replaced");
  }

  private static String readOrEmpty(Path file) throws IOException {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return "";
    }
  }

  /** Deletes the lock file, then releases the lock. */
  @Override
  public void close() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a lock file left behind is harmless: the next pull locks it, then deletes it
    }
    try {
      lock.release();
    } catch (IOException ignored) {
      // closing the channel releases it too
    }
    close(channel);
  }

  private static void close(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing left to do
    }
  }
}
