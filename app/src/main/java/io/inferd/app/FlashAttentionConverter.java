package io.inferd.app;

import io.inferd.engine.FlashAttention;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --flash-attn}: auto, on or off, in any case (serve's and the bench server's option). */
public final class FlashAttentionConverter implements ITypeConverter<FlashAttention> {
  @Override
  public FlashAttention convert(String value) {
    try {
      return FlashAttention.parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
