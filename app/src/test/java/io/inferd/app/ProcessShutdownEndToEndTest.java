package io.inferd.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.inferd.api.v1.ChatMessage;
import io.inferd.api.v1.InferenceServiceGrpc;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `inferd serve` as its own process: SIGTERM drains, ends what is still open with a status, exits
 * 0.
 */
class ProcessShutdownEndToEndTest {
  private static final Pattern READY = Pattern.compile("inferd ready: grpc=127\\.0\\.0\\.1:(\\d+)");
  @TempDir Path dir;
  private Process process;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void sigterm_endsOpenStreamsWithAStatus_andExitsZero() throws Exception {
    List<String> command = ServeProcesses.javaMain();
    command.addAll(
        List.of(
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--http-port",
            "-1",
            "--metrics-port",
            "-1",
            "--no-embeddings",
            "--parallel",
            "1",
            "--shutdown-grace",
            "1",
            "--model",
            "tiny=" + TestModels.tinyFile()));
    process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    int port = Integer.parseInt(ServeProcesses.awaitLine(process, READY).group(1));

    channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    var ended = new CompletableFuture<Status>();
    var replies = new ArrayList<ChatMessage>();
    StreamObserver<ChatMessage> chat =
        InferenceServiceGrpc.newStub(channel)
            .chat(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ChatMessage value) {
                    synchronized (replies) {
                      replies.add(value);
                    }
                  }

                  @Override
                  public void onError(Throwable t) {
                    ended.complete(Status.fromThrowable(t));
                  }

                  @Override
                  public void onCompleted() {
                    ended.complete(Status.OK);
                  }
                });
    chat.onNext(ChatMessage.newBuilder().setRole("user").setContent("the cat").build());
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (replies.isEmpty() && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    assertThat(replies).as("a first chat reply").isNotEmpty();

    process.destroy(); // SIGTERM; the chat stream is still open and never half-closed

    assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("exited").isTrue();
    assertThat(process.exitValue()).isZero();
    Status status = ended.get(10, TimeUnit.SECONDS);
    assertThat(status.getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.CANCELLED);
  }
}
