package io.inferd.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelRegistryTest {
  private static final Embedder EMBEDDER =
      new Embedder() {
        @Override
        public int dimension() {
          return 3;
        }

        @Override
        public Embeddings embed(List<String> texts) {
          throw new UnsupportedOperationException("not used by these tests");
        }

        @Override
        public void close() {}
      };

  @Test
  void emptyName_picksTheConfiguredDefault() {
    var registry =
        ModelRegistry.builder()
            .embedder("a", EMBEDDER)
            .embedder("b", EMBEDDER)
            .defaultEmbedder("b")
            .build();
    assertThat(registry.embedder("").name()).isEqualTo("b");
    assertThat(registry.embedder("a").name()).isEqualTo("a");
  }

  @Test
  void emptyName_withoutConfiguredDefault_picksTheFirstModel() {
    var registry =
        ModelRegistry.builder().embedder("first", EMBEDDER).embedder("second", EMBEDDER).build();
    assertThat(registry.embedder("").name()).isEqualTo("first");
  }

  @Test
  void unknownModel_namesTheModelsThatExist() {
    var registry = ModelRegistry.builder().embedder("mini", EMBEDDER).build();
    assertThatThrownBy(() -> registry.embedder("gpt-9"))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("'gpt-9'")
        .hasMessageContaining("mini");
    assertThatThrownBy(() -> registry.generator(""))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("(none)");
  }

  @Test
  void sameNameTwice_isRejected() {
    assertThatThrownBy(
            () -> ModelRegistry.builder().embedder("x", EMBEDDER).embedder("x", EMBEDDER))
        .hasMessageContaining("configured twice");
  }
}
