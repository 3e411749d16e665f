package dev.pgagent.cli;

import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationKind;
import dev.pgagent.api.safety.ConfirmationHandler;
import dev.pgagent.api.safety.ConfirmationRequest;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Asks the person at the terminal to approve a write, showing the statement and its dry run. */
final class TerminalConfirmations implements ConfirmationHandler {
    private final Cli cli;
    private final java.io.PrintStream out;

    /** Prompts on {@code out} (standard error when standard output carries JSON) and reads the answer from stdin. */
    TerminalConfirmations(Cli cli, java.io.PrintStream out) {
        this.cli = cli;
        this.out = out;
    }

    /** Returns the handler for {@code policy}: none is asked under read-only, the terminal otherwise. */
    static ConfirmationHandler forPolicy(Cli cli, dev.pgagent.api.safety.SafetyPolicy policy, java.io.PrintStream out) {
        return policy.level() == dev.pgagent.api.safety.PolicyLevel.READ_ONLY
                ? ConfirmationHandler.DECLINE_ALL
                : new TerminalConfirmations(cli, out);
    }

    @Override
    public synchronized ConfirmationDecision confirm(ConfirmationRequest request) {
        out.println();
        out.println("The model wants to run (" + request.verdict().kind().name() + "):");
        for (String line : request.sql().strip().split("\\R")) {
            out.println("    " + line);
        }
        if (request.dryRun().failed()) {
            out.println("  The dry run failed: " + request.dryRun().error());
        } else if (request.dryRun().affectedRows() >= 0) {
            out.println("  The dry run (rolled back) changed " + request.dryRun().affectedRows() + " rows.");
        }
        out.println("  Reason it needs you: " + request.verdict().reason());
        if (!cli.terminal) {
            out.println("  Standard input is not a terminal, so no one can confirm: declined.");
            return ConfirmationDecision.decline("no-terminal", "no one can confirm: standard input is not a terminal");
        }
        boolean typed = request.kind() == ConfirmationKind.TYPED;
        String expected = request.expectedTypedText();
        out.print(typed
                ? "  Type '" + expected + "' to run it, anything else to decline: "
                : "  Run it? [y/N] ");
        out.flush();
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
        out.println("  Declined.");
        return ConfirmationDecision.decline("terminal", "declined at the terminal");
    }
}
