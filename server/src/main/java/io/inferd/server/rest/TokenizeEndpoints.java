package io.inferd.server.rest;

import static io.inferd.server.rest.Json.invalid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.inferd.server.core.InvalidRequestException;
import io.inferd.server.core.Tokenization;
import java.util.Iterator;
import java.util.Set;

/**
 * POST /tokenize and /detokenize in llama.cpp server's shapes: {@code {"content", "add_special",
 * "with_pieces"}} → {@code {"tokens": [...]}}, {@code {"tokens": [...]}} → {@code {"content"}};
 * inferd adds an optional {@code model} (the default model otherwise).
 */
final class TokenizeEndpoints {
  /** with_pieces detokenizes every prefix, so it is for short texts. */
  private static final int MAX_PIECES = 2048;

  private final Tokenization tokenization;

  TokenizeEndpoints(Tokenization tokenization) {
    this.tokenization = tokenization;
  }

  Endpoint tokenize() {
    return (req, res, call) -> {
      ObjectNode body = body(req, Set.of("model", "content", "add_special", "with_pieces"));
      String content = Json.optionalString(body, "content");
      if (content == null) {
        throw invalid("content", body.path("content"), "a string");
      }
      Boolean addSpecial = Json.optionalBoolean(body, "add_special");
      Boolean withPieces = Json.optionalBoolean(body, "with_pieces");
      Tokenization.Tokens tokens =
          tokenization.tokenize(
              Json.optionalString(body, "model"), content, addSpecial != null && addSpecial);
      ObjectNode out = Json.MAPPER.createObjectNode();
      ArrayNode ids = out.putArray("tokens");
      if (withPieces == null || !withPieces) {
        for (int id : tokens.ids()) {
          ids.add(id);
        }
        send(res, out);
        return "200";
      }
      if (tokens.ids().length > MAX_PIECES) {
        throw invalid(
            "with_pieces",
            body.get("with_pieces"),
            "false for texts over " + MAX_PIECES + " tokens");
      }
      // A token's piece is what it adds to the text before it: detokenizing one token alone drops
      // the leading space of SentencePiece vocabularies.
      String before = "";
      for (int i = 0; i < tokens.ids().length; i++) {
        String upTo =
            tokenization
                .detokenize(tokens.model(), java.util.Arrays.copyOf(tokens.ids(), i + 1))
                .text();
        String piece = upTo.startsWith(before) ? upTo.substring(before.length()) : upTo;
        ids.addObject().put("id", tokens.ids()[i]).put("piece", piece);
        before = upTo;
      }
      send(res, out);
      return "200";
    };
  }

  Endpoint detokenize() {
    return (req, res, call) -> {
      ObjectNode body = body(req, Set.of("model", "tokens"));
      JsonNode tokens = body.get("tokens");
      if (tokens == null || !tokens.isArray()) {
        throw invalid(
            "tokens", tokens == null ? body.path("tokens") : tokens, "an array of token ids");
      }
      int[] ids = new int[tokens.size()];
      for (int i = 0; i < ids.length; i++) {
        JsonNode id = tokens.get(i);
        if (!id.canConvertToInt() || !id.isIntegralNumber()) {
          throw invalid("tokens[" + i + "]", id, "a token id");
        }
        ids[i] = id.intValue();
      }
      Tokenization.Text text = tokenization.detokenize(Json.optionalString(body, "model"), ids);
      send(res, Json.MAPPER.createObjectNode().put("content", text.text()));
      return "200";
    };
  }

  private static ObjectNode body(ServerRequest req, Set<String> known) throws Exception {
    ObjectNode body = Json.parseObject(RequestBodyErrors.read(req));
    Iterator<String> names = body.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        throw new InvalidRequestException(
            name
                + ": not supported (expected: one of "
                + String.join(", ", known.stream().sorted().toList())
                + ")");
      }
    }
    return body;
  }

  private static void send(ServerResponse res, ObjectNode out) {
    Json.send(res, out);
  }
}
