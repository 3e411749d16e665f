package dev.pgagent.cli;

import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationHandler;
import dev.pgagent.api.safety.ConfirmationKind;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.safety.PolicyLevel;
import dev.pgagent.api.safety.SafetyPolicy;
import java.io.PrintStream;

/** Asks the person at the terminal to approve a write, showing the statement and its dry run. */
final class TerminalConfirmations implements ConfirmationHandler {
    /** What a rolled-back dry run does not undo; shown with every dry run, and in the README. */
    static final String DRY_RUN_TRACES = "A rollback does not undo everything: sequence values the dry run drew stay"
            + " used (gaps in ids), and what triggers or functions did outside the transaction stays done.";

    private final Cli cli;
    private final PrintStream out;
    private final LineInput input;
    private final String asker;

    /** Prompts on {@code out} (standard error when standard output carries JSON); reads the answer from input. */
    TerminalConfirmations(Cli cli, PrintStream out, LineInput input) {
        this(cli, out, input, "The model");
    }

    /** Prompts as above, naming {@code asker} as who wants the statement run (e.g. "The migration"). */
    TerminalConfirmations(Cli cli, PrintStream out, LineInput input, String asker) {
        this.cli = cli;
        this.out = out;
        this.input = input;
        this.asker = asker;
    }

    /** Returns the handler for {@code policy}: none is asked under read-only, the terminal otherwise. */
    static ConfirmationHandler forPolicy(Cli cli, SafetyPolicy policy, PrintStream out, LineInput input) {
        return policy.level() == PolicyLevel.READ_ONLY
                ? ConfirmationHandler.DECLINE_ALL
                : new TerminalConfirmations(cli, out, input);
    }

    /** Returns the handler for {@code policy}, reading answers from standard input a line at a time. */
    static ConfirmationHandler forPolicy(Cli cli, SafetyPolicy policy, PrintStream out) {
        return forPolicy(cli, policy, out, LineInput.plain(cli, out));
    }

    @Override
    public synchronized ConfirmationDecision confirm(ConfirmationRequest request) {
        out.println();
        out.println(asker + " wants to run (" + request.verdict().kind().name() + "):");
        for (String line : request.sql().strip().split("\\R")) {
            out.println("    " + line);
        }
        if (request.dryRun().failed()) {
            out.println("  The dry run failed: " + request.dryRun().error());
        } else if (request.dryRun().estimated()) {
            out.println("  PostgreSQL's planner estimates it would change about "
                    + ResponsePrinter.count(request.dryRun().affectedRows(), "row")
                    + " (an estimate: nothing was executed to find out).");
        } else if (request.dryRun().affectedRows() >= 0) {
            out.println("  The dry run changed "
                    + ResponsePrinter.count(request.dryRun().affectedRows(), "row") + ", then was rolled back. "
                    + DRY_RUN_TRACES);
        }
        out.println("  Reason it needs you: " + request.verdict().reason());
        if (!cli.terminal) {
            out.println("  Standard input is not a terminal, so no one can confirm: declined.");
            return ConfirmationDecision.decline("no-terminal", "no one can confirm: standard input is not a terminal");
        }
        boolean typed = request.kind() == ConfirmationKind.TYPED;
        String expected = request.expectedTypedText();
        out.flush();
        String answer;
        try {
            answer = input.readLine(
                    typed ? "  Type '" + expected + "' to run it, anything else to decline: " : "  Run it? [y/N] ");
        } catch (LineInput.Interrupt e) {
            answer = null;
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
