package io.inferd.server.rest;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import io.inferd.server.core.InvalidRequestException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;

/**
 * Reading request bodies and writing JSON answers, with 400 messages that name what is wrong with
 * the body; which fields mean what is {@link OpenAiJson}'s business.
 */
final class Json {
  static final JsonMapper MAPPER =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private Json() {}

  /** The body as a JSON object, or an InvalidRequestException saying why it is not one. */
  static ObjectNode parseObject(byte[] body) {
    if (body.length == 0) {
      throw new InvalidRequestException("request body: empty (expected: a JSON object)");
    }
    String text = decodeUtf8(body);
    JsonNode node;
    try {
      node = MAPPER.readTree(text);
    } catch (JacksonException e) {
      JsonLocation at = e.getLocation();
      throw new InvalidRequestException(
          "request body: not valid JSON: "
              + e.getOriginalMessage()
              + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
              + " (expected: a JSON object)");
    }
    if (node == null || node.isMissingNode()) {
      throw new InvalidRequestException("request body: empty (expected: a JSON object)");
    }
    if (!node.isObject()) {
      throw new InvalidRequestException(
          "request body: " + describe(node) + " (expected: a JSON object)");
    }
    return (ObjectNode) node;
  }

  // Decoded here rather than by Jackson so the message can say where the bad byte is.
  private static String decodeUtf8(byte[] body) {
    CharsetDecoder decoder =
        UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(body);
    CharBuffer out = CharBuffer.allocate(body.length); // UTF-8 never has fewer bytes than chars
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      throw new InvalidRequestException(
          "request body: not valid UTF-8 at byte "
              + in.position()
              + " (expected: UTF-8 JSON text)");
    }
    return out.flip().toString();
  }

  /**
   * A short description of a JSON value for error messages; long strings are cut, never echoed
   * whole.
   */
  static String describe(JsonNode node) {
    if (node.isTextual()) {
      String text = node.textValue();
      return "'" + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "'";
    }
    if (node.isMissingNode()) {
      return "missing";
    }
    if (node.isObject()) {
      return "an object";
    }
    if (node.isArray()) {
      return "an array";
    }
    return node.toString(); // number, boolean or null
  }

  static InvalidRequestException invalid(String field, JsonNode value, String expected) {
    return new InvalidRequestException(
        field + ": " + describe(value) + " (expected: " + expected + ")");
  }

  static void send(ServerResponse res, JsonNode body) {
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    res.send(bytes(body));
  }

  static byte[] bytes(JsonNode body) {
    try {
      return MAPPER.writeValueAsBytes(body);
    } catch (JacksonException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }

  static String text(JsonNode body) {
    return new String(bytes(body), UTF_8);
  }

  // Typed optional fields: absent and null are both null; any other type is a 400 naming the field.

  static String optionalString(ObjectNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw invalid(field, node, "a string");
    }
    return node.textValue();
  }

  static Boolean optionalBoolean(ObjectNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isBoolean()) {
      throw invalid(field, node, "true or false");
    }
    return node.booleanValue();
  }

  static Float optionalFloat(ObjectNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isNumber()) {
      throw invalid(field, node, "a number");
    }
    return node.floatValue();
  }

  static Integer optionalInt(ObjectNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isNumber() || !node.canConvertToExactIntegral()) {
      throw invalid(field, node, "an integer");
    }
    if (!node.canConvertToInt()) {
      throw invalid(
          field, node, "an integer from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE);
    }
    return node.intValue();
  }
}
