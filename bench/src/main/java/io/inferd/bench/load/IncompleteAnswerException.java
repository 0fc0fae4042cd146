package io.inferd.bench.load;

/**
 * An answer arrived but was not the whole answer (wrong token count, no finish, missing vectors).
 */
final class IncompleteAnswerException extends RuntimeException {
  IncompleteAnswerException(String message) {
    super(message);
  }
}
