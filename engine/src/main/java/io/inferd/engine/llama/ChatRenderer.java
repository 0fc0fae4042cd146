package io.inferd.engine.llama;

import io.inferd.engine.ToolDefinition;
import io.inferd.engine.Turn;
import io.inferd.engine.grammar.ToolCallGrammar.Wrapping;
import java.nio.file.Path;
import java.util.List;

/** How a conversation becomes the prompt text of one model. */
interface ChatRenderer {
  enum Format {
    /** The model's own {@code tokenizer.chat_template}, run by a Jinja engine. */
    MODEL_TEMPLATE,
    /** No template in the file: the contents as plain text, for the model to continue. */
    PLAIN
  }

  Format format();

  String render(List<Turn> conversation, List<ToolDefinition> tools);

  boolean supportsTools();

  /** How the template has the model write tool calls. */
  default Wrapping toolCallWrapping() {
    return Wrapping.NONE;
  }

  static ChatRenderer forModel(NativeModel model, Path file) {
    return model
        .meta("tokenizer.chat_template")
        .<ChatRenderer>map(source -> JinjaChat.compile(source, model, file))
        .orElseGet(PlainText::new);
  }

  /**
   * A model without a chat template is a plain language model: it continues the text it is given,
   * so the conversation is its contents, one per line.
   */
  final class PlainText implements ChatRenderer {
    @Override
    public Format format() {
      return Format.PLAIN;
    }

    @Override
    public String render(List<Turn> conversation, List<ToolDefinition> tools) {
      if (!tools.isEmpty()) {
        throw new UnsupportedOperationException(
            "tools: this model has no chat template, so it cannot be given tools");
      }
      StringBuilder text = new StringBuilder();
      for (Turn turn : conversation) {
        if (!text.isEmpty()) {
          text.append('\n');
        }
        text.append(turn.content());
      }
      return text.toString();
    }

    @Override
    public boolean supportsTools() {
      return false;
    }

    @Override
    public String toString() {
      return "plain text";
    }
  }
}
