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
 * "with_pieces"}} → {@code {"tokens": [...]}}, {@code {"tokens": [...]}} → {@code {"content"}}; inferd
 * adds an optional {@code model} (the default model otherwise).
 */
final class TokenizeEndpoints {
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
      for (int id : tokens.ids()) {
        if (withPieces != null && withPieces) {
          ids.addObject()
              .put("id", id)
              .put("piece", tokenization.detokenize(tokens.model(), new int[] {id}).text());
        } else {
          ids.add(id);
        }
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
        throw invalid("tokens", tokens == null ? body.path("tokens") : tokens, "an array of token ids");
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
    ObjectNode body = Json.parseObject(req.content().inputStream().readAllBytes());
    Iterator<String> names = body.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        throw new InvalidRequestException(
            name + ": not supported (expected: one of " + String.join(", ", known.stream().sorted().toList()) + ")");
      }
    }
    return body;
  }

  private static void send(ServerResponse res, ObjectNode out) {
    Json.send(res, out);
  }
}
