package io.inferd.server.core;

/**
 * A planned Chat turn and how many of the history's non-system turns its prompt kept (the older
 * ones did not fit the context and never will again).
 */
public record ChatTurnPlan(PlannedCompletion plan, int keptTurns) {}
