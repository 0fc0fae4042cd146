package io.inferd.app.cli;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.inferd.api.v1.ChatMessage;
import io.inferd.api.v1.SamplingOptions;
import io.inferd.client.InferenceClient;
import io.inferd.client.Prompts;
import java.io.BufferedReader;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code inferd chat}: a read-reply loop over one bidirectional Chat stream. */
@Command(
    name = "chat",
    sortOptions = false,
    description = {
      "Talk with the model over one bidirectional Chat stream, a user turn per line of stdin.",
      "Each reply is printed. 'quit', 'exit' or end of input ends the conversation."
    })
public final class ChatCommand extends ClientCommand {
  private static final Set<String> QUIT = Set.of("quit", "exit");
  private static final Duration CONVERSATION_DEADLINE = Duration.ofMinutes(30);

  @Option(
      names = {"-s", "--system"},
      order = 1,
      paramLabel = "TEXT",
      description = "System prompt, sent as the first turn.")
  String system;

  @Option(
      names = {"-m", "--model"},
      order = 2,
      paramLabel = "MODEL",
      description = "Model that answers (default: the server's default model).")
  String model = "";

  @Option(
      names = "--max-tokens",
      order = 3,
      paramLabel = "N",
      description = "Tokens per reply at most; 0 means the server's default (default: 0).")
  int maxTokens;

  @Option(
      names = "--temperature",
      order = 4,
      paramLabel = "T",
      description = "Sampling temperature in [0, 2]; 0 is greedy (default: the server's).")
  Float temperature;

  public ChatCommand() {}

  /** A user turn with this conversation's model, token limit and temperature. */
  ChatMessage userTurn(String line) {
    ChatMessage.Builder message =
        Prompts.chatMessage(Prompts.USER, line).toBuilder().setModel(model).setMaxTokens(maxTokens);
    if (temperature != null) {
      message.setSampling(SamplingOptions.newBuilder().setTemperature(temperature));
    }
    return message.build();
  }

  @Override
  Duration defaultDeadline() {
    return CONVERSATION_DEADLINE; // the deadline bounds the whole stream, typing included
  }

  @Override
  int run(InferenceClient client) throws IOException, InterruptedException {
    var replies = new ChatReplies(out());
    StreamObserver<ChatMessage> turns = client.chat(replies);
    try {
      converse(turns, replies);
    } catch (IOException | InterruptedException | RuntimeException e) {
      turns.onError(Status.CANCELLED.withCause(e).asRuntimeException()); // cancels the call
      throw e;
    }
    turns.onCompleted();
    replies.awaitEnd();
    return 0;
  }

  private void converse(StreamObserver<ChatMessage> turns, ChatReplies replies)
      throws IOException, InterruptedException {
    if (system != null && !system.isBlank()) {
      turns.onNext(Prompts.chatMessage(Prompts.SYSTEM, system));
    }
    BufferedReader input = stdin();
    while (true) {
      if (interactive()) {
        out().print("> ");
        out().flush();
      }
      String line = input.readLine();
      if (line == null || QUIT.contains(line.strip().toLowerCase(Locale.ROOT))) {
        return;
      }
      if (line.isBlank()) {
        continue;
      }
      turns.onNext(userTurn(line));
      if (!replies.awaitReply()) {
        return; // the server ended the conversation; awaitEnd reports how
      }
    }
  }
}
