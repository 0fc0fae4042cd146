/**
 * Java client for the {@code ai.inference.v1.InferenceService} API.
 *
 * <p>Start with {@link io.inferd.client.InferenceClient#builder(String)}; build requests with
 * {@link io.inferd.client.Prompts}. Retries ({@link io.inferd.client.RetryPolicy}), call logging
 * ({@link io.inferd.client.LoggingInterceptor}) and deadlines sized to the request ({@link
 * io.inferd.client.Deadlines}) are set on the builder.
 */
package io.inferd.client;
