package io.inferd.app.cli;

import io.inferd.api.v1.Choice;
import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.Logprobs;
import io.inferd.api.v1.Usage;
import io.inferd.client.InferenceClient;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code inferd complete}: one unary Complete call. {@link StreamCommand} sends the same request as
 * StreamComplete; how an answer ends (a newline on stdout, logprobs and the summary line on stderr)
 * is printed here for both.
 */
@Command(
    name = "complete",
    sortOptions = false,
    description = {
      "Ask the model once and print its answer when it is done (unary Complete).",
      "Model, finish reason and token counts go to stderr."
    })
public class CompleteCommand extends ClientCommand {
  @Mixin GenerationOptions generation = new GenerationOptions();

  /** How an answer ended; {@code usage} is null when the server sent none. */
  record Ending(String model, String finishReason, Usage usage, Logprobs logprobs) {}

  @Override
  final int run(InferenceClient client) throws IOException {
    Ending ending = answer(client, generation.request());
    out().println();
    out().flush();
    if (ending.logprobs().getContentCount() > 0) {
      err().print(Summaries.logprobs(ending.logprobs()));
    }
    err().println(Summaries.completion(ending.model(), ending.finishReason(), ending.usage()));
    return 0;
  }

  /** Sends {@code request} and prints the answer's text on stdout, without a final newline. */
  Ending answer(InferenceClient client, CompleteRequest request) {
    CompleteResponse response = client.complete(request);
    Choice choice =
        response.getChoicesCount() > 0 ? response.getChoices(0) : Choice.getDefaultInstance();
    out().print(choice.getMessage().getContent());
    return new Ending(
        response.getModel(),
        choice.getFinishReason(),
        response.hasUsage() ? response.getUsage() : null,
        choice.getLogprobs());
  }
}
