package io.inferd.bench.serialization;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH: serialise and parse one payload in one encoding, average ns per operation. Run by {@link
 * SerializationSuite} (./bench.sh) with explicit {@code payload}/{@code format} pairs; never by the
 * test phase. The value is built once; serialising it and parsing its bytes are what is timed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SerializationBenchmark {
  @Param({"User"})
  public String payload;

  @Param({"protobuf"})
  public String format;

  private Codec codec;
  private byte[] bytes;

  @Setup
  public void setUp() {
    codec = Codec.of(payload, format);
    bytes = codec.encode();
  }

  @Benchmark
  public byte[] serialize() {
    return codec.encode();
  }

  @Benchmark
  public Object parse() {
    return codec.decode(bytes);
  }
}
