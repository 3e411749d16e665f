package dev.pgagent.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MessageTaggerTest {
    private final CallRegistry registry = new CallRegistry();
    private final MessageTagger tagger = new MessageTagger(registry);

    @Test
    void givesEachToolCallItsKeyOverwritingTheClients() {
        String call = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"x\","
                + "\"_meta\":{\"dev.pgagent/call\":\"other#1\",\"progressToken\":3}}}";

        String out = tagger.filter(call, "s1");

        assertThat(out)
                .contains("\"dev.pgagent/call\":\"s1#7\"")
                .contains("\"progressToken\":3")
                .doesNotContain("other#1");
        assertThat(tagger.filter(call.replace("\"id\":7", "\"id\":\"7\""), "s1"))
                .contains("s1#\\\"7\\\"");
    }

    @Test
    void actsOnCancellationsAndDropsThem() {
        String cancel = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":7}}";

        assertThat(tagger.filter(cancel, "s1")).isNull();
        // the call registered after its cancellation arrived starts cancelled
        assertThat(registry.open("s1#7", "c", null, null).isCancelled()).isTrue();
        assertThat(registry.open("s2#7", "c", null, null).isCancelled()).isFalse();
    }

    @Test
    void passesEverythingElseUnchanged() {
        String list = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";
        String broken = "{\"method\":\"tools/call\"";

        assertThat(tagger.filter(list, "s")).isSameAs(list);
        assertThat(tagger.filter(broken, "s")).isSameAs(broken);
    }
}
