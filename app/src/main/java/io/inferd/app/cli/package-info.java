/**
 * The client verbs of the {@code inferd} command: one picocli command class per verb, listed by
 * {@link io.inferd.app.cli.ClientCommands#all()} for the module that defines the top command.
 */
package io.inferd.app.cli;
