/**
 * Local model files: {@code inferd pull} downloads a GGUF file from a Hugging Face style repository
 * (resumable, SHA-256 verified) and {@code inferd models} lists what is installed.
 */
package io.inferd.app.models;
