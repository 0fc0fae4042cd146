package io.inferd.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.InferenceServiceGrpc;
import io.inferd.api.v1.Message;
import io.inferd.api.v1.StreamChunk;
import io.inferd.client.InferenceClient;
import io.inferd.client.LoadBalancing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three inferd replicas on 127.0.0.1 (the production wiring, the real tiny model), one client with
 * a list target and health-checked round robin: every replica gets traffic, and stopping one in the
 * middle of the load fails no call.
 */
class ReplicasEndToEndTest {
  private static final int WORKERS = 4;
  private static final int CALLS = 90;
  private static final int STOP_AFTER = 30;

  private final List<RunningServer> replicas = new ArrayList<>();
  private final List<ObservedGenerator> models = new ArrayList<>();
  private RunningServer stopped;
  private InferenceClient client;
  private ExecutorService workers;

  @AfterEach
  void stop() throws Exception {
    if (workers != null) {
      workers.shutdownNow();
    }
    if (client != null) {
      client.close();
    }
    for (RunningServer replica : replicas) {
      if (replica == stopped) {
        replica.channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      } else {
        replica.close();
      }
    }
  }

  private static CompleteRequest ask(int i) {
    return CompleteRequest.newBuilder()
        .addMessages(Message.newBuilder().setRole("user").setContent("the cat " + i))
        .setMaxTokens(4)
        .setSeed(i)
        .build();
  }

  @Test
  void roundRobinOverThreeReplicas_reachesEach_andStoppingOneMidRunFailsNoCall() throws Exception {
    for (int i = 0; i < 3; i++) {
      ObservedGenerator model = ObservedGenerator.open(TestModels.tiny());
      models.add(model);
      replicas.add(RunningServer.start(model, 2, 16));
    }
    String target =
        replicas.stream()
            .map(r -> "127.0.0.1:" + r.server.grpcPort())
            .collect(Collectors.joining(","));
    client =
        InferenceClient.builder(target)
            .loadBalancing(LoadBalancing.roundRobin()) // what a list target gets anyway
            .defaultDeadline(Duration.ofSeconds(20))
            .noLogging()
            .build();

    RunningServer victim = replicas.get(1);
    ObservedGenerator victimModel = models.get(1);
    AtomicInteger started = new AtomicInteger();
    AtomicInteger succeeded = new AtomicInteger();
    Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch stopNow = new CountDownLatch(1);
    workers = Executors.newFixedThreadPool(WORKERS + 1);
    int[] victimCallsAtStop = new int[1];
    Future<?> stopper =
        workers.submit(
            () -> {
              stopNow.await();
              victimCallsAtStop[0] = victimModel.requests.size();
              stopped = victim;
              victim.server.stop(Duration.ofSeconds(10)); // NOT_SERVING, refuse new calls, drain
              return null;
            });
    List<Future<?>> running = new ArrayList<>();
    for (int w = 0; w < WORKERS; w++) {
      running.add(
          workers.submit(
              () -> {
                for (int i = started.getAndIncrement(); i < CALLS; i = started.getAndIncrement()) {
                  try {
                    call(i);
                    if (succeeded.incrementAndGet() == STOP_AFTER) {
                      stopNow.countDown();
                    }
                  } catch (RuntimeException e) {
                    failures.add(e);
                  }
                }
              }));
    }
    for (Future<?> worker : running) {
      worker.get(120, TimeUnit.SECONDS);
    }
    stopper.get(30, TimeUnit.SECONDS);

    assertThat(failures).as("failed calls").isEmpty();
    assertThat(succeeded.get()).isEqualTo(CALLS);
    for (int i = 0; i < replicas.size(); i++) {
      assertThat(models.get(i).requests).as("calls replica %d served", i).isNotEmpty();
    }
    // Calls already on their way when it began to drain may still land there; no later ones.
    assertThat(victimModel.requests.size()).isLessThanOrEqualTo(victimCallsAtStop[0] + WORKERS);
    int servedByOthers = models.get(0).requests.size() + models.get(2).requests.size();
    assertThat(servedByOthers + victimModel.requests.size()).isGreaterThanOrEqualTo(CALLS);
  }

  @Test
  void aStoppingReplica_reportsNotServing_whileItDrains() throws Exception {
    ObservedGenerator model = ObservedGenerator.gated(TestModels.tiny());
    models.add(model);
    RunningServer replica = RunningServer.start(model, 2, 16);
    replicas.add(replica);
    var health = HealthGrpc.newBlockingStub(replica.channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    var service =
        HealthCheckRequest.newBuilder().setService(InferenceServiceGrpc.SERVICE_NAME).build();
    assertThat(health.check(service).getStatus()).isEqualTo(ServingStatus.SERVING);

    // A running stream keeps the server draining until the test lets the model finish.
    Iterator<StreamChunk> stream = replica.blocking().streamComplete(ask(1));
    model.allow(1);
    assertThat(stream.next().getChoices(0).getDelta().getContent()).isNotNull();
    Context.CancellableContext watching = Context.current().withCancellation();
    Iterator<HealthCheckResponse> watch =
        watching.call(
            () ->
                HealthGrpc.newBlockingStub(replica.channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .watch(service));
    assertThat(watch.next().getStatus()).isEqualTo(ServingStatus.SERVING);

    stopped = replica;
    ExecutorService stopper = Executors.newSingleThreadExecutor();
    Future<?> stopping = stopper.submit(() -> replica.server.stop(Duration.ofSeconds(10)));

    assertThat(watch.next().getStatus()).isEqualTo(ServingStatus.NOT_SERVING);
    watching.cancel(null);
    model.allow(100);
    stream.forEachRemaining(chunk -> {}); // the running call still finishes
    stopping.get(15, TimeUnit.SECONDS);
    stopper.shutdown();
  }

  private void call(int i) {
    if (i % 3 == 0) {
      Iterator<StreamChunk> chunks = client.streamComplete(ask(i));
      assertThat(chunks.hasNext()).isTrue();
      chunks.forEachRemaining(chunk -> {});
    } else {
      assertThat(client.complete(ask(i)).getChoices(0).getMessage().getContent()).isNotNull();
    }
  }
}
