/**
 * Java client for the {@code ai.inference.v1.InferenceService} API.
 *
 * <p>Start with {@link io.inferd.client.InferenceClient#builder(String)}; build requests with {@link
 * io.inferd.client.Prompts}.
 */
package io.inferd.client;
