package io.inferd.bench.peers;

/** A server under load: streams one chat answer per call. Safe for concurrent calls. */
interface StreamTarget extends AutoCloseable {
  /** Short name for tables: "llama-server", "inferd gRPC", "inferd REST". */
  String name();

  /** Streams the answer to one user message, greedy, up to {@code maxTokens}. */
  StreamResult stream(String userText, int maxTokens) throws Exception;

  @Override
  void close();
}
