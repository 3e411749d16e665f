package dev.pgagent.mcp.internal;

import dev.pgagent.mcp.McpToken;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every HTTP request passes before the MCP transport sees it, in this order: the {@code Host} header (421
 * unless allowed: DNS rebinding), the {@code Origin} header (403 unless absent or allowed), the bearer token (401,
 * compared in constant time against every token), the token's rate limit (429; failed authentications are limited per
 * address), the body's size (413). A POST's JSON-RPC message then goes through the {@link MessageTagger}
 * (cancellations act here and get 202), and a DELETE of a session cancels its calls. The token found is left in the
 * request attribute {@link #TOKEN}. Thread-safe.
 */
public final class HttpGate implements Filter {
    private static final Logger LOG = LoggerFactory.getLogger(HttpGate.class);

    /** The request attribute holding the {@link McpToken} the request was authenticated with. */
    public static final String TOKEN = "dev.pgagent.mcp.token";

    private static final List<String> LOOPBACK_ORIGINS = List.of(
            "http://localhost:*",
            "http://127.0.0.1:*",
            "http://[::1]:*",
            "https://localhost:*",
            "https://127.0.0.1:*",
            "https://[::1]:*");

    private final List<McpToken> tokens;
    private final List<String> origins;
    private final List<String> hosts;
    private final String bind;
    private final IntSupplier port;
    private final int maxBytes;
    private final RateLimiter limiter;
    private final MessageTagger tagger;
    private final CallRegistry registry;

    /**
     * Creates the gate.
     *
     * @param port the port the server listens on (known once it has started)
     */
    public HttpGate(
            List<McpToken> tokens,
            List<String> origins,
            List<String> hosts,
            String bind,
            IntSupplier port,
            int maxBytes,
            RateLimiter limiter,
            CallRegistry registry) {
        this.tokens = List.copyOf(tokens);
        this.origins = List.copyOf(origins);
        this.hosts = List.copyOf(hosts);
        this.bind = bind;
        this.port = port;
        this.maxBytes = maxBytes;
        this.limiter = limiter;
        this.registry = registry;
        this.tagger = new MessageTagger(registry);
    }

    /** Returns the session key of calls made in MCP session {@code sessionId} with {@code token}. */
    public static String sessionKey(McpToken token, String sessionId) {
        return "http:" + token.name() + ":" + sessionId;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        String host = request.getHeader("Host");
        if (host == null || !hostAllowed(host)) {
            deny(response, 421, "the Host header is not one this server answers to");
            return;
        }
        String origin = request.getHeader("Origin");
        if (origin != null && !matches(origin, origins) && !matches(origin, LOOPBACK_ORIGINS)) {
            deny(response, 403, "the Origin is not allowed");
            return;
        }
        McpToken token = authenticate(request.getHeader("Authorization"));
        if (token == null) {
            if (!limiter.tryAcquire("addr:" + request.getRemoteAddr())) {
                deny(response, 429, "too many requests");
                return;
            }
            response.setHeader("WWW-Authenticate", "Bearer realm=\"pgagent\"");
            deny(response, 401, "a valid bearer token is required");
            return;
        }
        if (!limiter.tryAcquire("token:" + token.name())) {
            response.setHeader("Retry-After", "1");
            deny(response, 429, "too many requests for this token");
            return;
        }
        if (request.getContentLengthLong() > maxBytes) {
            deny(response, 413, "the request body is larger than " + maxBytes + " bytes");
            return;
        }
        request.setAttribute(TOKEN, token);
        String sessionId = request.getHeader("Mcp-Session-Id");
        String method = request.getMethod();
        if ("POST".equals(method)) {
            byte[] body = readAtMost(request.getInputStream(), maxBytes);
            if (body == null) {
                deny(response, 413, "the request body is larger than " + maxBytes + " bytes");
                return;
            }
            String text = new String(body, StandardCharsets.UTF_8);
            String session = sessionKey(token, sessionId == null ? "none" : sessionId);
            String forward = tagger.filter(text, session);
            if (forward == null) {
                response.setStatus(HttpServletResponse.SC_ACCEPTED);
                return;
            }
            chain.doFilter(new Body(request, forward.getBytes(StandardCharsets.UTF_8)), response);
            return;
        }
        chain.doFilter(request, response);
        if ("DELETE".equals(method) && sessionId != null) {
            registry.cancelSession(sessionKey(token, sessionId));
        }
    }

    private @Nullable McpToken authenticate(@Nullable String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String presented = header.substring(7).strip();
        McpToken found = null;
        for (McpToken t : tokens) {
            // every token is compared, so the time taken does not tell which (or whether one) matched
            if (t.matches(presented) && found == null) {
                found = t;
            }
        }
        return found;
    }

    private boolean hostAllowed(String host) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        int p = port.getAsInt();
        for (String name : new String[] {"localhost", "127.0.0.1", "[::1]", bind.toLowerCase(Locale.ROOT)}) {
            if (h.equals(name + ":" + p) || (p == 80 && h.equals(name))) {
                return true;
            }
        }
        return matches(h, hosts.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList());
    }

    private static boolean matches(String value, List<String> allowed) {
        for (String a : allowed) {
            if (a.equalsIgnoreCase(value)) {
                return true;
            }
            if (a.endsWith(":*")) {
                String base = a.substring(0, a.length() - 2);
                if (value.equalsIgnoreCase(base)
                        || (value.regionMatches(true, 0, base + ":", 0, base.length() + 1)
                                && value.substring(base.length() + 1).matches("[0-9]{1,5}"))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static byte @Nullable [] readAtMost(InputStream in, int max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) != -1) {
            if (out.size() + n > max) {
                return null;
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static void deny(HttpServletResponse response, int status, String why) throws IOException {
        LOG.debug("HTTP request refused with {}: {}", status, why);
        response.setStatus(status);
        response.setContentType("text/plain;charset=utf-8");
        response.getWriter().write(why + "\n");
    }

    /** A request whose body was read (and perhaps rewritten) by the gate. */
    private static final class Body extends HttpServletRequestWrapper {
        private final byte[] body;

        Body(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("the body was already read");
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
        }

        @Override
        public String getCharacterEncoding() {
            return StandardCharsets.UTF_8.name();
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
