package io.inferd.client.example;

import io.inferd.api.v1.CompleteResponse;
import io.inferd.client.InferenceClient;
import io.inferd.client.Prompts;
import java.time.Duration;

/**
 * The README's client example, compiled and run by every build ({@code QuickStartTest}) so that it
 * cannot drift from the API. In a package of its own: it sees only what a user of the jar sees.
 */
public final class QuickStart {
  private QuickStart() {}

  public static void main(String[] args) {
    String target = args.length > 0 ? args[0] : "127.0.0.1:50051";
    try (InferenceClient client =
        InferenceClient.builder(target).defaultDeadline(Duration.ofSeconds(30)).build()) {
      CompleteResponse answer = client.complete(Prompts.complete("And God said"));
      System.out.println(answer.getChoices(0).getMessage().getContent());

      client
          .streamComplete(Prompts.complete("In the beginning"))
          .forEachRemaining(
              chunk ->
                  chunk.getChoicesList().forEach(c -> System.out.print(c.getDelta().getContent())));
      System.out.println();
    }
  }
}
