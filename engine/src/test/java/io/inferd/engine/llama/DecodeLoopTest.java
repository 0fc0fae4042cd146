package io.inferd.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferd.engine.FinishReason;
import io.inferd.engine.FlashAttention;
import io.inferd.engine.GeneratedToken;
import io.inferd.engine.Generation;
import io.inferd.engine.GenerationRequest;
import io.inferd.engine.Prompt;
import io.inferd.engine.Sampling;
import io.inferd.engine.TokenSink;
import io.inferd.engine.Turn;
import io.inferd.engine.testing.TinyGguf;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The continuous-batching loop, sampler chain and vocabulary calls on a tiny real GGUF. */
class DecodeLoopTest {
  @TempDir static Path dir;
  static LlamaGenerator two;
  static LlamaGenerator one;

  @BeforeAll
  static void load() throws Exception {
    Path file = TinyGguf.builder().write(dir.resolve("plain.gguf"));
    two = LlamaGenerator.load(file, new LlamaOptions(2, 2, 256));
    one = LlamaGenerator.load(file, new LlamaOptions(2, 1, 256));
  }

  @AfterAll
  static void close() {
    two.close();
    one.close();
  }

  private static GenerationRequest request(LlamaGenerator model, String text, int max, Sampling s) {
    return new GenerationRequest(model.raw(text), max, s);
  }

  @Test
  void twoGenerations_runInOneBatch_andBothFinish() throws Exception {
    var a =
        CompletableFuture.supplyAsync(
            () -> two.generate(request(two, "the cat", 40, Sampling.greedy()), t -> true));
    var b =
        CompletableFuture.supplyAsync(
            () -> two.generate(request(two, "a dog ran", 40, Sampling.greedy()), t -> true));
    assertThat(a.get(60, TimeUnit.SECONDS).completionTokens()).isPositive();
    assertThat(b.get(60, TimeUnit.SECONDS).completionTokens()).isPositive();
  }

  @Test
  void aReaderThatBlocks_pausesOnlyItsOwnSequence() throws Exception {
    CountDownLatch otherFinished = new CountDownLatch(1);
    List<String> slowTokens = new ArrayList<>();
    var slow =
        CompletableFuture.supplyAsync(
            () ->
                two.generate(
                    request(two, "the cat", 30, Sampling.greedy()),
                    t -> {
                      slowTokens.add(t);
                      try {
                        // Blocks on its first token until the other generation has ended.
                        return otherFinished.await(60, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        return false;
                      }
                    }));
    Generation fast = two.generate(request(two, "a big dog", 30, Sampling.greedy()), t -> true);
    otherFinished.countDown();

    assertThat(fast.completionTokens()).isPositive();
    assertThat(slow.get(60, TimeUnit.SECONDS).completionTokens()).isPositive();
    assertThat(slowTokens).isNotEmpty();
  }

  @Test
  void aSinkThatSaysStop_endsTheSequence_afterThatToken() {
    int[] seen = {0};
    Generation g =
        one.generate(request(one, "the cat", 200, Sampling.greedy()), t -> ++seen[0] < 5);
    assertThat(g.finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(seen[0]).isEqualTo(5);
    assertThat(g.completionTokens()).isEqualTo(5);
  }

  @Test
  void aRequestRightAfterACancelledOne_getsItsSlotAtOnce() throws Exception {
    for (int i = 0; i < 20; i++) {
      one.generate(request(one, "the cat", 50, Sampling.greedy()), t -> false);
      // The cancelled sequence leaves its slot asynchronously; the next one must not wait for a
      // wake-up.
      var next =
          CompletableFuture.supplyAsync(
              () -> one.generate(request(one, "a dog", 2, Sampling.greedy()), t -> true));
      assertThat(next.get(30, TimeUnit.SECONDS).completionTokens()).isPositive();
    }
  }

  @Test
  void anExpiredDeadline_endsTheSequenceBeforeItsNextStep() {
    GenerationRequest expired =
        new GenerationRequest(
            one.raw("the cat"), 200, Sampling.greedy(), OptionalLong.of(System.nanoTime() - 1));
    Generation g = one.generate(expired, t -> true);
    assertThat(g.finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(g.completionTokens()).isLessThanOrEqualTo(1);
  }

  @Test
  void aConversationsNextTurn_prefillsOnlyItsNewTokens() {
    List<Turn> first = List.of(Turn.user("the cat sat on the mat and the dog ran to the park"));
    Prompt p1 = one.render(first);
    Generation reply = one.generate(new GenerationRequest(p1, 8, Sampling.greedy()), t -> true);
    List<Turn> second =
        List.of(first.get(0), Turn.assistant(reply.text()), Turn.user("then the bird sat"));
    Prompt p2 = one.render(second);

    long before = one.promptTokensDecoded();
    one.generate(new GenerationRequest(p2, 4, Sampling.greedy()), t -> true);
    long decoded = one.promptTokensDecoded() - before;

    assertThat(p2.tokenCount()).isGreaterThan(p1.tokenCount() + 4);
    assertThat(decoded).isLessThan(p2.tokenCount() - p1.tokenCount() + 8);
  }

  @Test
  void aConversationsNextTurn_keepsItsMemory_whenAnotherRequestCameBetweenTurns() {
    List<Turn> first = List.of(Turn.user("the cat sat on the mat and the dog ran to the park"));
    Prompt p1 = two.render(first);
    Generation reply = two.generate(new GenerationRequest(p1, 8, Sampling.greedy()), t -> true);
    two.generate(
        request(two, "a red ball rolled down the long hill", 8, Sampling.greedy()), t -> true);
    List<Turn> second =
        List.of(first.get(0), Turn.assistant(reply.text()), Turn.user("then the bird sat"));
    Prompt p2 = two.render(second);

    long before = two.promptTokensDecoded();
    two.generate(new GenerationRequest(p2, 4, Sampling.greedy()), t -> true);

    assertThat(two.promptTokensDecoded() - before)
        .isLessThan(p2.tokenCount() - p1.tokenCount() + 8);
  }

  @Test
  void aNewSequence_goesNextToRunningOnes_unlessASlotHoldsMostOfItsPrompt() {
    Slot[] slots = new Slot[6];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = new Slot(i);
      slots[i].lastUsed = 10 - i; // the highest id was used longest ago
    }
    Sequence running = new Sequence(new int[] {1}, null, null);
    slots[2].active = running;
    slots[3].active = running;
    int[] prompt = {1, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

    // Next to the run 2-3, the less recently used side.
    assertThat(DecodeLoop.bestFreeSlot(slots, prompt).id).isEqualTo(4);

    slots[5].append(1); // a shared start token is not worth a gap
    assertThat(DecodeLoop.bestFreeSlot(slots, prompt).id).isEqualTo(4);

    for (int token : prompt) {
      slots[0].append(token); // all of it: worth a gap
    }
    assertThat(DecodeLoop.bestFreeSlot(slots, prompt).id).isEqualTo(0);
  }

  @Test
  void aSlotOutOfOrder_isWorthItOnlyForMostOfThePrompt() {
    assertThat(DecodeLoop.worthASlotOutOfOrder(1, 2)).isFalse(); // a start token
    assertThat(DecodeLoop.worthASlotOutOfOrder(10, 29)).isFalse(); // a template header
    assertThat(DecodeLoop.worthASlotOutOfOrder(900, 1000)).isTrue(); // earlier turns
    assertThat(DecodeLoop.worthASlotOutOfOrder(DecodeLoop.MIN_REUSE, 2 * DecodeLoop.MIN_REUSE))
        .isTrue();
  }

  @Test
  void samePromptAndSeed_giveTheSameText_withPrefixReuse() {
    Sampling s =
        new Sampling(
            0.9f,
            0.95f,
            40,
            0.05f,
            1.1f,
            0.2f,
            0.1f,
            64,
            OptionalInt.of(3),
            java.util.Optional.empty());
    String a = one.generate(request(one, "once upon a time the", 30, s), t -> true).text();
    String b = one.generate(request(one, "once upon a time the", 30, s), t -> true).text();
    one.generate(request(one, "a red ball", 10, s), t -> true); // another prompt in between
    String c = one.generate(request(one, "once upon a time the", 30, s), t -> true).text();
    assertThat(b).isEqualTo(a);
    assertThat(c).isEqualTo(a);
  }

  @Test
  void aGrammar_constrainsTheOutput() {
    Sampling s =
        new Sampling(1.0f, 1f, OptionalInt.of(5))
            .withGrammar("root ::= (\"yes\" | \"no\") \" the cat\"\n");
    for (int i = 0; i < 3; i++) {
      Generation g = two.generate(request(two, "is it", 20, s), t -> true);
      assertThat(g.text()).isIn("yes the cat", "no the cat");
      assertThat(g.finishReason()).isEqualTo(FinishReason.STOP);
    }
  }

  @Test
  void aBrokenGrammar_isRejectedBeforeNativeCode() {
    for (String bad :
        List.of(
            "",
            "root ::= (",
            "root ::= \"a",
            "root ::= x",
            "root ::= [a-",
            "root ::= \"a\"{5,2}",
            "x ::= \"a\"\n",
            "root ::= " + "(".repeat(10_000) + "\"a\"" + ")".repeat(10_000),
            "root ::= \"\\q\"")) {
      Sampling s = Sampling.greedy().withGrammar(bad);
      assertThatThrownBy(() -> two.generate(request(two, "x", 5, s), t -> true))
          .as(bad.length() > 40 ? bad.substring(0, 40) : bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("grammar: ");
    }
    assertThat(
            two.generate(request(two, "the", 3, Sampling.greedy()), t -> true).completionTokens())
        .isPositive();
  }

  @Test
  void logprobs_areAtMostZero_withTheAskedNumberOfAlternatives() {
    List<GeneratedToken> tokens = new ArrayList<>();
    TokenSink sink =
        new TokenSink() {
          @Override
          public boolean onToken(String text) {
            return true;
          }

          @Override
          public boolean onToken(GeneratedToken token) {
            tokens.add(token);
            return true;
          }
        };
    GenerationRequest r =
        new GenerationRequest(one.raw("the cat"), 6, Sampling.greedy(), OptionalLong.empty(), 3);
    one.generate(r, sink);

    List<GeneratedToken> real = tokens.stream().filter(t -> t.id() >= 0).toList();
    assertThat(real).isNotEmpty();
    for (GeneratedToken t : real) {
      assertThat(t.logprob()).isLessThanOrEqualTo(0f);
      assertThat(t.topLogprobs()).hasSize(3);
      assertThat(t.topLogprobs().get(0).logprob())
          .isGreaterThanOrEqualTo(t.topLogprobs().get(2).logprob());
      assertThat(t.topLogprobs().get(0).id()).isEqualTo(t.id()); // greedy picks the most likely
    }
  }

  @Test
  void tokenize_andDetokenize_roundTrip() {
    int[] tokens = one.tokenize("the cat sat on the mat", false);
    assertThat(tokens).isNotEmpty();
    assertThat(one.detokenize(tokens).strip()).isEqualTo("the cat sat on the mat");
    assertThat(one.tokenize("the cat", true)).hasSize(one.tokenize("the cat", false).length + 1);
  }

  @Test
  void detokenize_rejectsIdsOutsideTheVocabulary() {
    assertThatThrownBy(() -> one.detokenize(new int[] {1, 999_999}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("999999");
    assertThatThrownBy(() -> one.detokenize(new int[] {-1}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void flashAttentionOff_generatesToo() throws Exception {
    try (LlamaGenerator off =
        LlamaGenerator.load(
            TinyGguf.builder().write(dir.resolve("fa-off.gguf")),
            new LlamaOptions(1, 1, 128, 0, FlashAttention.OFF))) {
      Generation g = off.generate(request(off, "the cat", 8, Sampling.greedy()), t -> true);
      assertThat(g.completionTokens()).isPositive();
    }
  }

  @Test
  void aModelLoadedOnOneThread_closesOnAnother() throws Exception {
    Path file = TinyGguf.builder().write(dir.resolve("closing.gguf"));
    LlamaGenerator model = LlamaGenerator.load(file, new LlamaOptions(1, 1, 64));
    model.generate(request(model, "the cat", 3, Sampling.greedy()), t -> true);
    // serve loads on main and closes on its shutdown hook's thread
    CompletableFuture.runAsync(model::close).get(30, TimeUnit.SECONDS);
  }

  @Test
  void aPromptLongerThanTheContext_isRejected() {
    String longText = "the cat ".repeat(400);
    assertThatThrownBy(() -> one.generate(request(one, longText, 5, Sampling.greedy()), t -> true))
        .isInstanceOf(io.inferd.engine.PromptTooLongException.class);
  }
}
