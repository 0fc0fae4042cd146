/**
 * Constrained output for the llama.cpp engine: JSON Schema to GBNF ({@link
 * io.inferd.engine.grammar.JsonSchemaGrammar}), forced tool calls ({@link
 * io.inferd.engine.grammar.ToolCallGrammar}) and reading calls back ({@link
 * io.inferd.engine.grammar.ToolCalls}). A schema is expressed exactly or refused with {@link
 * io.inferd.engine.grammar.UnsupportedSchemaException} (the REST gateway's 400): output under a
 * grammar from here always parses and validates. No JSON library is used: the engine module carries
 * none.
 */
package io.inferd.engine.grammar;
