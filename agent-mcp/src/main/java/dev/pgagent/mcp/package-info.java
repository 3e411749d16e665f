/**
 * An MCP server for pgagent: {@link dev.pgagent.mcp.PgAgentMcpServer} offers an agent's guarded tools to any MCP
 * client over stdio or Streamable HTTP, with writes confirmed by the client's user through
 * {@link dev.pgagent.mcp.McpConfirmations}, and HTTP access guarded by {@link dev.pgagent.mcp.McpToken}s and
 * {@link dev.pgagent.mcp.McpHttpOptions}.
 */
@NullMarked
package dev.pgagent.mcp;

import org.jspecify.annotations.NullMarked;
