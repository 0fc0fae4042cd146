package io.inferd.app.cli;

import io.inferd.api.v1.CompleteRequest;
import io.inferd.api.v1.Logprobs;
import io.inferd.api.v1.StreamChoice;
import io.inferd.api.v1.StreamChunk;
import io.inferd.api.v1.Usage;
import io.inferd.client.InferenceClient;
import java.util.Iterator;
import picocli.CommandLine.Command;

/** {@code inferd stream}: a StreamComplete call, printed token by token. */
@Command(
    name = "stream",
    sortOptions = false,
    description = {
      "Ask the model and print the answer as it is generated (StreamComplete).",
      "Model, finish reason and token counts go to stderr at the end."
    })
public final class StreamCommand extends CompleteCommand {
  @Override
  Ending answer(InferenceClient client, CompleteRequest request) {
    Iterator<StreamChunk> chunks = client.streamComplete(request);
    String model = "";
    String finishReason = "";
    Usage usage = null;
    Logprobs.Builder logprobs = Logprobs.newBuilder();
    while (chunks.hasNext()) {
      StreamChunk chunk = chunks.next();
      if (!chunk.getModel().isEmpty()) {
        model = chunk.getModel();
      }
      for (StreamChoice choice : chunk.getChoicesList()) {
        if (choice.getIndex() != 0) {
          continue; // the CLI asks for one answer
        }
        if (choice.getDelta().hasContent()) {
          out().print(choice.getDelta().getContent());
          out().flush(); // show each token as it comes
        }
        if (choice.hasLogprobs()) {
          logprobs.addAllContent(choice.getLogprobs().getContentList());
        }
        if (choice.hasFinishReason()) {
          finishReason = choice.getFinishReason();
        }
      }
      if (chunk.hasUsage()) {
        usage = chunk.getUsage();
      }
    }
    return new Ending(model, finishReason, usage, logprobs.build());
  }
}
