package io.inferd.bench.model;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A SentencePiece-style ("llama") vocabulary of a chosen size: {@code <unk>}, {@code <s>}, {@code
 * </s>}, the 256 byte tokens, English words and syllables as word pieces (every prefix of a piece
 * is a piece too, so merges reach whole words), and last the ChatML control tokens {@code
 * <|im_start|>} and {@code <|im_end|>}. Deterministic: no randomness at all.
 */
record SyntheticVocab(List<String> tokens, int[] types, float[] scores) {
  static final int UNK = 0;
  static final int BOS = 1;
  static final int EOS = 2;

  // llama.cpp token types.
  static final int NORMAL = 1;
  static final int UNKNOWN = 2;
  static final int CONTROL = 3;
  static final int BYTE = 6;

  static final String IM_START = "<|im_start|>";
  static final String IM_END = "<|im_end|>";

  private static final String SPACE = "\u2581"; // SentencePiece's word-start marker

  private static final String WORDS =
      "the a an and to of in on at it is was he she they we you i his her my your its our their"
          + " be been are were has have had do does did will would can could should may might must"
          + " not no yes so but or if then than that this these those there here what who how why"
          + " when where which all any some many much more most one two three four five six seven"
          + " eight nine ten first last next new old good great small big long short high low little"
          + " cat dog bird fish mouse bear frog duck cow pig horse bunny boy girl mom dad friend baby"
          + " man woman king queen child children people time day night year week morning house home"
          + " school book tree park sun sky ball toy box car boat door room garden water food apple"
          + " cake flower city world country water fire earth air light dark red blue green yellow"
          + " white black happy sad nice kind brave quick slow warm cold said saw ran went came looked"
          + " played jumped found wanted liked loved made took gave told asked thought knew felt"
          + " go see look play jump find want like love make take give tell ask think know feel"
          + " help work read write learn teach open close start stop turn move live keep hold bring"
          + " model token server stream request answer question story word text number system user"
          + " assistant message chat reply prompt history turn data test fast speed engine memory"
          + " about after again before under over into through with from for by up down out off"
          + " once upon also just only very really always never often sometimes together around";

  private static final String SUFFIXES = "s es ed ing er est ly ness ment tion sion able ful less";
  private static final String ONSETS =
      "b c d f g h j k l m n p r s t v w y z ch sh th st tr br pl gr cl fr sp bl dr";
  private static final String VOWELS = "a e i o u ai ea ee oo ou ie oa";
  private static final String CODAS = " n r s t l m ng nd st rt ck";

  /** Builds a vocabulary of exactly {@code size} tokens. */
  static SyntheticVocab build(int size) {
    if (size < 1_000) {
      throw new IllegalArgumentException("size: " + size + " (expected: >= 1000)");
    }
    List<String> tokens = new ArrayList<>(size);
    List<Integer> types = new ArrayList<>(size);
    tokens.add("<unk>");
    types.add(UNKNOWN);
    tokens.add("<s>");
    types.add(CONTROL);
    tokens.add("</s>");
    types.add(CONTROL);
    for (int b = 0; b < 256; b++) {
      tokens.add(String.format("<0x%02X>", b));
      types.add(BYTE);
    }
    int normal = size - tokens.size() - 2;
    Pieces pieces = new Pieces(normal);
    pieces.add(SPACE);
    String chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?'\":;-()/";
    for (char c : chars.toCharArray()) {
      pieces.add(String.valueOf(c));
      pieces.add(SPACE + c);
    }
    for (String word : WORDS.split(" ")) {
      pieces.add(SPACE + word);
      pieces.add(SPACE + Character.toUpperCase(word.charAt(0)) + word.substring(1));
    }
    for (String suffix : SUFFIXES.split(" ")) {
      pieces.add(suffix);
    }
    // Syllables, then two-syllable words, until the vocabulary is full.
    List<String> syllables = new ArrayList<>();
    for (String onset : ONSETS.split(" ")) {
      for (String vowel : VOWELS.split(" ")) {
        for (String coda : CODAS.split(" ", -1)) {
          syllables.add(onset + vowel + coda);
        }
      }
    }
    for (String s : syllables) {
      pieces.add(s);
      pieces.add(SPACE + s);
    }
    outer:
    for (String first : syllables) {
      for (String second : syllables) {
        if (pieces.full()) {
          break outer;
        }
        pieces.add(SPACE + first + second);
      }
    }
    if (!pieces.full()) {
      throw new IllegalStateException("vocabulary too small: " + pieces.set.size());
    }
    for (String piece : pieces.set) {
      tokens.add(piece);
      types.add(NORMAL);
    }
    tokens.add(IM_START);
    types.add(CONTROL);
    tokens.add(IM_END);
    types.add(CONTROL);
    float[] scores = new float[size];
    int[] typeArray = new int[size];
    for (int i = 0; i < size; i++) {
      typeArray[i] = types.get(i);
      // Higher scores merge first: earlier (shorter) pieces rank higher, as in SentencePiece.
      scores[i] = typeArray[i] == NORMAL ? -i : 0f;
    }
    return new SyntheticVocab(List.copyOf(tokens), typeArray, scores);
  }

  int size() {
    return tokens.size();
  }

  int imStart() {
    return size() - 2;
  }

  int imEnd() {
    return size() - 1;
  }

  /** Pieces, each after all its prefixes, up to a limit. */
  private static final class Pieces {
    final Set<String> set = new LinkedHashSet<>();
    final int limit;

    Pieces(int limit) {
      this.limit = limit;
    }

    boolean full() {
      return set.size() >= limit;
    }

    void add(String piece) {
      for (int end = 1; end <= piece.length() && !full(); end++) {
        set.add(piece.substring(0, end));
      }
    }
  }
}
