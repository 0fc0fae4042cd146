package io.inferd.app.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads positive durations written as {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h} or ISO.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
  private static final Pattern AMOUNT_UNIT = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

  @Override
  public Duration convert(String value) {
    Duration duration = parse(value.strip().toLowerCase(Locale.ROOT));
    if (duration == null) {
      throw new TypeConversionException(
          "'" + value + "' (expected: a duration like 500ms, 30s, 2m or 1h)");
    }
    if (duration.isZero() || duration.isNegative()) {
      throw new TypeConversionException("'" + value + "' (expected: a duration > 0)");
    }
    return duration;
  }

  private static Duration parse(String value) {
    Matcher m = AMOUNT_UNIT.matcher(value);
    if (m.matches()) {
      long amount = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        default -> Duration.ofHours(amount);
      };
    }
    try {
      return Duration.parse(value); // ISO-8601, e.g. pt1m30s
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
