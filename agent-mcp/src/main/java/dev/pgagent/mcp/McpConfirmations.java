package dev.pgagent.mcp;

import dev.pgagent.api.Experimental;
import dev.pgagent.api.safety.ConfirmationDecision;
import dev.pgagent.api.safety.ConfirmationHandler;
import dev.pgagent.api.safety.ConfirmationKind;
import dev.pgagent.api.safety.ConfirmationRequest;
import dev.pgagent.api.safety.DryRun;
import dev.pgagent.mcp.internal.CallRegistry;
import io.modelcontextprotocol.server.McpAsyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Asks the user of the MCP client whose call needs it to confirm a statement, through MCP elicitation: a yes/no form
 * for a simple confirmation, a form where the user types the table's name for a typed one. A client that does not
 * support elicitation gets its statements declined, as do second-party confirmations (an MCP client has one user).
 * Install it on every agent an MCP server serves, and pass it to the server:
 *
 * <pre>{@code
 * McpConfirmations confirmations = McpConfirmations.create();
 * PostgresAgent agent = PostgresAgent.builder()
 *     .llm(PgAgentMcpServer.noModel()).dataSource(dataSource)
 *     .policy(SafetyPolicy.builder().level(PolicyLevel.BALANCED).build())
 *     .confirmationHandler(confirmations)
 *     .build();
 * PgAgentMcpServer server = PgAgentMcpServer.builder().agent(agent).confirmations(confirmations).build();
 * }</pre>
 *
 * <p>The agent bounds the wait with the policy's confirmation timeout. Thread-safe.
 */
@Experimental
public final class McpConfirmations implements ConfirmationHandler {
    private final List<CallRegistry> registries = new CopyOnWriteArrayList<>();

    private McpConfirmations() {}

    /** Returns a handler not yet bound to a server; until it is, it declines everything. */
    public static McpConfirmations create() {
        return new McpConfirmations();
    }

    void bind(CallRegistry registry) {
        registries.add(Objects.requireNonNull(registry, "registry == null"));
    }

    @Override
    public ConfirmationDecision confirm(ConfirmationRequest request) {
        CallRegistry.Call call = null;
        for (CallRegistry r : registries) {
            call = r.forConfirmation(request.sessionId(), request.sql());
            if (call != null) {
                break;
            }
        }
        if (call == null) {
            return ConfirmationDecision.decline("mcp", "no MCP call is waiting for this confirmation");
        }
        McpAsyncServerExchange exchange = call.exchange();
        String client = exchange.getClientInfo() == null
                ? "mcp-client"
                : exchange.getClientInfo().name();
        McpSchema.ClientCapabilities caps = exchange.getClientCapabilities();
        if (caps == null || caps.elicitation() == null) {
            return ConfirmationDecision.decline(
                    "mcp-client",
                    "the MCP client cannot ask its user to confirm"
                            + " (it does not support elicitation), so writes are declined");
        }
        if (request.kind() == ConfirmationKind.SECOND_PARTY) {
            return ConfirmationDecision.decline(
                    "mcp", "the statement needs a second person's approval, which an" + " MCP client cannot give");
        }
        boolean typed = request.kind() == ConfirmationKind.TYPED;
        McpSchema.ElicitFormRequest form = McpSchema.ElicitFormRequest.builder(
                        message(request, typed), typed ? typedSchema(request.expectedTypedText()) : yesNoSchema())
                .build();
        String who = "mcp-user:" + client;
        McpSchema.ElicitResult result;
        try {
            result = exchange.createElicitation(form).block();
        } catch (RuntimeException e) {
            // the client failed the request, went away, or the agent gave up waiting (interrupt)
            return ConfirmationDecision.decline(
                    "mcp-client", "the MCP client did not answer the confirmation: " + e.getMessage());
        }
        if (result == null || result.action() != McpSchema.ElicitResult.Action.ACCEPT) {
            String how = result == null || result.action() == McpSchema.ElicitResult.Action.CANCEL
                    ? "the user dismissed the confirmation"
                    : "the user declined";
            return ConfirmationDecision.decline(who, how);
        }
        Map<String, Object> content = result.content() == null ? Map.of() : result.content();
        if (typed) {
            Object text = content.get("confirm");
            return text instanceof String s
                    ? ConfirmationDecision.approveTyped(s, who)
                    : ConfirmationDecision.decline(who, "the user did not type the confirmation");
        }
        Object approve = content.get("approve");
        return Boolean.TRUE.equals(approve) || "true".equals(approve)
                ? ConfirmationDecision.approve(who)
                : ConfirmationDecision.decline(who, "the user did not approve");
    }

    static String message(ConfirmationRequest request, boolean typed) {
        StringBuilder sb = new StringBuilder();
        sb.append("The assistant wants to run this ")
                .append(request.verdict().kind().name().toLowerCase(Locale.ROOT).replace('_', ' '))
                .append(" statement");
        if (!request.verdict().tables().isEmpty()) {
            sb.append(" on ").append(String.join(", ", request.verdict().tables()));
        }
        sb.append(":\n\n").append(request.sql()).append("\n\n");
        DryRun dry = request.dryRun();
        if (dry.failed()) {
            sb.append("Its dry run failed: ").append(dry.error()).append('\n');
        } else if (dry.affectedRows() >= 0) {
            sb.append(dry.estimated() ? "The planner estimates it changes about " : "A dry run (rolled back) changed ")
                    .append(dry.affectedRows())
                    .append(dry.affectedRows() == 1 ? " row.\n" : " rows.\n");
        }
        sb.append("Why it needs your confirmation: ")
                .append(request.verdict().reason())
                .append('\n');
        sb.append(typed ? "To run it, type '" + request.expectedTypedText() + "'." : "Run it?");
        return sb.toString();
    }

    private static Map<String, Object> yesNoSchema() {
        Map<String, Object> approve = new LinkedHashMap<>();
        approve.put("type", "boolean");
        approve.put("title", "Run this statement");
        approve.put("description", "Yes runs the statement once; no changes nothing.");
        approve.put("default", false);
        return schema("approve", approve);
    }

    private static Map<String, Object> typedSchema(String expected) {
        Map<String, Object> confirm = new LinkedHashMap<>();
        confirm.put("type", "string");
        confirm.put("title", "Type " + expected + " to run it");
        confirm.put("description", "The statement runs only if this matches '" + expected + "'.");
        return schema("confirm", confirm);
    }

    private static Map<String, Object> schema(String name, Map<String, Object> property) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("type", "object");
        s.put("properties", Map.of(name, property));
        s.put("required", new ArrayList<>(List.of(name)));
        return s;
    }

    @Override
    public String toString() {
        return "McpConfirmations{servers=" + registries.size() + '}';
    }
}
