package io.inferd.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferd.engine.Scheduler.Permit;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SchedulerTest {

  @Test
  void admit_underSlotLimit_grantsAtOnce() {
    var scheduler = new Scheduler(2, 1, 100);
    assertThat(scheduler.admit()).isCompleted();
    assertThat(scheduler.admit()).isCompleted();
    assertThat(scheduler.running()).isEqualTo(2);
    assertThat(scheduler.queued()).isZero();
  }

  @Test
  void tryAdmit_grantsAFreeSlot_andNeverQueues() {
    var scheduler = new Scheduler(1, 2, 100);
    Permit first = scheduler.tryAdmit();
    assertThat(first).isNotNull();

    assertThat(scheduler.tryAdmit()).isNull();
    assertThat(scheduler.queued()).isZero();

    first.close();
    assertThat(scheduler.running()).isZero();
    assertThat(scheduler.tryAdmit()).isNotNull();
  }

  @Test
  void admit_whenSlotsBusy_queuesUntilAPermitCloses() {
    var scheduler = new Scheduler(1, 2, 100);
    Permit first = scheduler.admit().join();
    CompletableFuture<Permit> second = scheduler.admit();
    assertThat(second).isNotDone();
    assertThat(scheduler.queued()).isEqualTo(1);

    first.close();

    assertThat(second).isCompleted();
    assertThat(scheduler.running()).isEqualTo(1);
    assertThat(scheduler.queued()).isZero();
  }

  @Test
  void admit_whenQueueFull_failsAtOnceWithRetryHint() {
    var scheduler = new Scheduler(1, 1, 250);
    scheduler.admit();
    scheduler.admit();
    assertThatThrownBy(scheduler::admit)
        .isInstanceOf(QueueFullException.class)
        .hasMessageContaining("1 generation slots")
        .satisfies(e -> assertThat(((QueueFullException) e).retryAfterMillis()).isEqualTo(250));
  }

  @Test
  void cancelledTicket_leavesQueue_andNeverHoldsASlot() {
    var scheduler = new Scheduler(1, 1, 100);
    Permit running = scheduler.admit().join();
    CompletableFuture<Permit> queued = scheduler.admit();

    queued.cancel(false);
    assertThat(scheduler.queued()).isZero();
    running.close();

    assertThat(scheduler.running()).isZero();
  }

  @Test
  void permit_closedTwice_releasesOnce() {
    var scheduler = new Scheduler(2, 0, 100);
    Permit a = scheduler.admit().join();
    scheduler.admit().join();
    a.close();
    a.close();
    assertThat(scheduler.running()).isEqualTo(1);
  }
}
