package io.inferd.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class DeadlineOptionTest {
  private final DeadlineOption.Converter converter = new DeadlineOption.Converter();

  @ParameterizedTest
  @ValueSource(strings = {"auto", "AUTO", " Auto "})
  void convert_auto_meansTheEstimate(String text) {
    assertThat(converter.convert(text).isAuto()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"30s", "PT30S"})
  void convert_duration_isAFixedDeadline(String text) {
    DeadlineOption option = converter.convert(text);

    assertThat(option.isAuto()).isFalse();
    assertThat(option.fixed()).isEqualTo(Duration.ofSeconds(30));
  }

  @ParameterizedTest
  @ValueSource(strings = {"automatic", "0s", ""})
  void convert_anythingElse_isRejectedNamingBothForms(String text) {
    assertThatThrownBy(() -> converter.convert(text))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageEndingWith(", or auto");
  }
}
