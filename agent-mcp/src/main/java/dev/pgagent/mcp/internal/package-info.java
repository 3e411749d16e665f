/**
 * The MCP server's inner parts: the bridge from the guarded path's tools to MCP tools, result rendering, the
 * registry of calls in flight (cancellation, confirmation), message tagging for stdio and HTTP, and the HTTP gate
 * (authentication, Host and Origin checks, limits). Not API.
 */
@NullMarked
package dev.pgagent.mcp.internal;

import org.jspecify.annotations.NullMarked;
