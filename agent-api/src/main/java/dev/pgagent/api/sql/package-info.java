/**
 * SQL values shared by tools, the agent and hosts: result tables, statement outcomes, and the
 * {@link dev.pgagent.api.sql.SqlGateway} through which tools reach the database under the safety layer.
 */
@NullMarked
package dev.pgagent.api.sql;

import org.jspecify.annotations.NullMarked;
