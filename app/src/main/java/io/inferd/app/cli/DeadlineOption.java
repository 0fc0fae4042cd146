package io.inferd.app.cli;

import io.inferd.client.Deadlines;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The value of {@code --deadline}: a fixed duration, or {@code auto} for the estimate {@link
 * Deadlines#defaults()} makes from the request.
 *
 * @param fixed the duration; null for auto
 */
record DeadlineOption(Duration fixed) {
  static final DeadlineOption AUTO = new DeadlineOption(null);

  boolean isAuto() {
    return fixed == null;
  }

  /** Reads {@code auto} or a duration as {@link DurationConverter} does. */
  static final class Converter implements ITypeConverter<DeadlineOption> {
    private final DurationConverter durations = new DurationConverter();

    @Override
    public DeadlineOption convert(String value) {
      if (value.strip().toLowerCase(Locale.ROOT).equals("auto")) {
        return AUTO;
      }
      try {
        return new DeadlineOption(durations.convert(value));
      } catch (TypeConversionException e) {
        throw new TypeConversionException(e.getMessage() + ", or auto");
      }
    }
  }
}
