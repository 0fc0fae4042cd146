package io.inferd.bench.load;

/** The work one call does; identical over both protocols. */
public enum Scenario {
  /** Complete / chat.completions: a 3-message conversation in, a 64-token answer out. */
  UNARY("unary completion"),
  /** StreamComplete / chat.completions with stream=true: 256 tokens, one message or event each. */
  STREAM("streaming completion"),
  /**
   * BatchEmbed (16 EmbedRequests, client streaming) / embeddings (16 inputs): 16 × 384 floats back.
   */
  EMBED("batch embedding");

  private final String label;

  Scenario(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
