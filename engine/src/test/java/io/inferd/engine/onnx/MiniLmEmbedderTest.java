package io.inferd.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.inferd.engine.Embedder.Embeddings;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MiniLmEmbedderTest {
  static MiniLmEmbedder embedder;

  @BeforeAll
  static void load() {
    embedder = MiniLmEmbedder.load();
  }

  @AfterAll
  static void close() {
    embedder.close();
  }

  private static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  @Test
  void embed_returnsUnitVectorsOf384Dimensions_inOrder() {
    Embeddings result = embedder.embed(List.of("a cat sat on the mat", "stock markets fell today"));
    assertThat(result.vectors()).hasSize(2);
    for (float[] v : result.vectors()) {
      assertThat(v).hasSize(384);
      assertThat(Math.sqrt(dot(v, v))).isCloseTo(1.0, within(1e-4));
    }
    assertThat(result.tokenCount()).isBetween(8, 20);
  }

  @Test
  void embed_placesSimilarSentencesCloser() {
    List<float[]> v =
        embedder
            .embed(
                List.of(
                    "The kitten sleeps on the sofa.",
                    "A cat is napping on the couch.",
                    "Interest rates rose sharply."))
            .vectors();
    assertThat(dot(v.get(0), v.get(1))).isGreaterThan(dot(v.get(0), v.get(2)) + 0.2);
  }

  @Test
  void embed_isDeterministic() {
    float[] a = embedder.embed(List.of("API 설계 패턴")).vectors().get(0);
    float[] b = embedder.embed(List.of("API 설계 패턴")).vectors().get(0);
    assertThat(a).containsExactly(b);
  }
}
