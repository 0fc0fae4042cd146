package io.inferd.engine.template;

/**
 * A chat template could not render a conversation. {@link #reason()} tells the caller whom to
 * blame: the request ({@link Reason#RAISED}, {@link Reason#LIMIT}) or the template itself.
 */
public final class ChatTemplateException extends RuntimeException {
  /** Why rendering stopped. */
  public enum Reason {
    /** The template called {@code raise_exception(msg)}; the message is the template's own. */
    RAISED,
    /** Output size, loop, recursion or time budget exceeded (a hostile template or input). */
    LIMIT,
    /** The template failed in some other way (unknown method, bad expression, type error). */
    TEMPLATE_ERROR
  }

  private final Reason reason;

  ChatTemplateException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
