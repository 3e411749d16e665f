package dev.pgagent.examples.cli;

import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationKind;
import dev.pgagent.api.safety.ConfirmationHandler;
import dev.pgagent.api.safety.ConfirmationRequest;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Asks the person at the terminal to approve a write, showing the statement and its dry run. */
final class TerminalConfirmations implements ConfirmationHandler {
    private final Cli cli;

    TerminalConfirmations(Cli cli) {
        this.cli = cli;
    }

    @Override
    public synchronized ConfirmationDecision confirm(ConfirmationRequest request) {
        cli.out.println();
        cli.out.println("The model wants to run (" + request.verdict().kind().name() + "):");
        for (String line : request.sql().strip().split("\\R")) {
            cli.out.println("    " + line);
        }
        if (request.dryRun().failed()) {
            cli.out.println("  The dry run failed: " + request.dryRun().error());
        } else if (request.dryRun().affectedRows() >= 0) {
            cli.out.println("  The dry run (rolled back) changed " + request.dryRun().affectedRows() + " rows.");
        }
        cli.out.println("  Reason it needs you: " + request.verdict().reason());
        boolean typed = request.kind() == ConfirmationKind.TYPED;
        String expected = request.expectedTypedText();
        cli.out.print(typed
                ? "  Type '" + expected + "' to run it, anything else to decline: "
                : "  Run it? [y/N] ");
        cli.out.flush();
        String answer;
        try {
            answer = cli.reader().readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String a = answer == null ? "" : answer.strip();
        if (typed && a.equals(expected)) {
            return ConfirmationDecision.approveTyped(a, "terminal");
        }
        if (!typed && (a.equalsIgnoreCase("y") || a.equalsIgnoreCase("yes"))) {
            return ConfirmationDecision.approve("terminal");
        }
        cli.out.println("  Declined.");
        return ConfirmationDecision.decline("terminal", "declined at the terminal");
    }
}
