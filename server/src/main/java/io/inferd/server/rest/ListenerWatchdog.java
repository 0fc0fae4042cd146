package io.inferd.server.rest;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an HTTP listener alive: Helidon closes its server socket for good when accept fails (e.g.
 * "Too many open files"), which leaves a dead port in a live process. Every period this connects to
 * the port; a refused connection means the listener is gone, so it reports "down" and asks for a
 * new one until that works. Other probe failures (the process itself out of descriptors) change
 * nothing: the listener may still be fine.
 */
final class ListenerWatchdog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ListenerWatchdog.class);

  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("inferd-rest-watchdog").factory());
  private final String host;
  private final int port;
  private final BooleanSupplier restart;
  private final Consumer<Boolean> onChange;
  private boolean up = true;

  /**
   * @param restart starts a new listener on the port; true if it listens
   * @param onChange told when the listener goes down and when it is up again
   */
  ListenerWatchdog(
      String host, int port, Duration period, BooleanSupplier restart, Consumer<Boolean> onChange) {
    this.host = host;
    this.port = port;
    this.restart = restart;
    this.onChange = onChange;
    long millis = period.toMillis();
    timer.scheduleWithFixedDelay(this::check, millis, millis, TimeUnit.MILLISECONDS);
  }

  private void check() {
    try {
      if (refused() && up) {
        up = false;
        log.error(
            "REST listener on port {} is gone (refuses connections); starting a new one", port);
        onChange.accept(false);
      }
      if (!up && restart.getAsBoolean()) {
        up = true;
        log.warn("REST listener on port {} is listening again", port);
        onChange.accept(true);
      }
    } catch (RuntimeException e) {
      log.warn("REST listener check failed: {}", e.toString());
    }
  }

  private boolean refused() {
    String probeHost = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(probeHost, port), 2_000);
      return false;
    } catch (ConnectException e) {
      return true;
    } catch (IOException e) {
      return false; // e.g. no descriptor for the probe: says nothing about the listener
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
