package io.inferd.app.cli;

import picocli.CommandLine.Command;

/** Stands in for the {@code inferd} command that the server module defines. */
@Command(name = "inferd", description = "Test stand-in for the inferd top command.")
final class InferdTestTopCommand {}
