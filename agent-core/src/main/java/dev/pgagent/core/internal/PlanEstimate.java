package dev.pgagent.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads the planner's estimate of the rows a write changes from its {@code EXPLAIN (FORMAT JSON)} plan. */
final class PlanEstimate {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PlanEstimate() {}

    /**
     * Returns the estimated rows: those the ModifyTable node's input produces (the node's own estimate is 0), or the
     * top node's estimate for other plans; -1 when the plan cannot be read.
     */
    static long affectedRows(String planJson) {
        try {
            JsonNode root = MAPPER.readTree(planJson);
            JsonNode plan = root.isArray() && !root.isEmpty() ? root.get(0).path("Plan") : root.path("Plan");
            if (plan.isMissingNode()) {
                return -1;
            }
            if ("ModifyTable".equals(plan.path("Node Type").asText())) {
                JsonNode input = plan.path("Plans");
                return input.isArray() && !input.isEmpty()
                        ? input.get(0).path("Plan Rows").asLong(-1)
                        : -1;
            }
            return plan.path("Plan Rows").asLong(-1);
        } catch (JsonProcessingException e) {
            return -1;
        }
    }
}
