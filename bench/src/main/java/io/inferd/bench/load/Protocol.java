package io.inferd.bench.load;

/** The two ways a client reaches the same inferd process. */
public enum Protocol {
  /** ai.inference.v1 over HTTP/2, Protobuf; grpc-java client on one channel. */
  GRPC("gRPC"),
  /** The OpenAI-compatible gateway over HTTP/1.1, JSON; java.net.http.HttpClient with its pool. */
  REST("REST");

  private final String label;

  Protocol(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
