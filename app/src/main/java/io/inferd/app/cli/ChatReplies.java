package io.inferd.app.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.inferd.api.v1.ChatMessage;
import java.io.PrintWriter;

/**
 * Prints the server's turns as they arrive and lets the reading thread wait for them, so the next
 * prompt shows after the answer rather than in the middle of it.
 */
final class ChatReplies implements StreamObserver<ChatMessage> {
  private final PrintWriter out;
  private int unread;
  private boolean ended;
  private Throwable error;

  ChatReplies(PrintWriter out) {
    this.out = out;
  }

  @Override
  public synchronized void onNext(ChatMessage reply) {
    out.println(reply.getContent());
    out.flush();
    unread++;
    notifyAll();
  }

  @Override
  public synchronized void onError(Throwable t) {
    error = t;
    ended = true;
    notifyAll();
  }

  @Override
  public synchronized void onCompleted() {
    ended = true;
    notifyAll();
  }

  /** Waits for the next reply; false when the conversation ended instead. */
  synchronized boolean awaitReply() throws InterruptedException {
    while (unread == 0 && !ended) {
      wait(); // the call's deadline ends the wait at the latest
    }
    if (unread == 0) {
      return false;
    }
    unread--;
    return true;
  }

  /** Waits until the server ends the conversation; throws if it ended with an error. */
  synchronized void awaitEnd() throws InterruptedException {
    while (!ended) {
      wait();
    }
    if (error instanceof StatusRuntimeException e) {
      throw e;
    }
    if (error != null) {
      throw Status.fromThrowable(error).asRuntimeException();
    }
  }
}
