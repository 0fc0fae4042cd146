package io.inferd.app.cli;

import io.inferd.api.v1.Choice;
import io.inferd.api.v1.CompleteResponse;
import io.inferd.api.v1.Usage;
import io.inferd.client.InferenceClient;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code inferd complete}: one unary Complete call. */
@Command(
    name = "complete",
    sortOptions = false,
    description = {
      "Ask the model once and print its answer when it is done (unary Complete).",
      "Model, finish reason and token counts go to stderr."
    })
public final class CompleteCommand extends ClientCommand {
  @Mixin GenerationOptions generation = new GenerationOptions();

  @Override
  int run(InferenceClient client) throws IOException {
    CompleteResponse response = client.complete(generation.request());
    Choice choice =
        response.getChoicesCount() > 0 ? response.getChoices(0) : Choice.getDefaultInstance();
    out().println(choice.getMessage().getContent());
    out().flush();
    if (choice.hasLogprobs()) {
      err().print(Summaries.logprobs(choice.getLogprobs()));
    }
    Usage usage = response.hasUsage() ? response.getUsage() : null;
    err().println(Summaries.completion(response.getModel(), choice.getFinishReason(), usage));
    return 0;
  }
}
