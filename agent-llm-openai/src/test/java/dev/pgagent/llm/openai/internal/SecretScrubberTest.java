package dev.pgagent.llm.openai.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.LlmException;
import org.junit.jupiter.api.Test;

class SecretScrubberTest {
    @Test
    void removesTheKeyKeyLikeTokensAndBearerCredentials() {
        SecretScrubber s = new SecretScrubber("my-local-key-123");

        assertThat(s.scrub("key my-local-key-123 here")).isEqualTo("key **** here");
        assertThat(s.scrub("Incorrect API key provided: sk-proj-abcd****wxyz.")).isEqualTo(
                "Incorrect API key provided: sk-****.");
        assertThat(s.scrub("Authorization: Bearer abc.def.ghi")).isEqualTo("Authorization: Bearer ****");
        assertThat(s.scrub("nothing secret in task-list")).isEqualTo("nothing secret in task-list");
    }

    @Test
    void keepsAnExceptionWithoutSecretsAsItIsAndRebuildsOneWithSecrets() {
        SecretScrubber s = new SecretScrubber("k-999999");
        LlmException clean = new LlmException("fine", LlmException.Reason.OTHER, false, null);
        LlmException dirty = new LlmException("key k-999999", LlmException.Reason.RATE_LIMITED, true, 429,
                java.time.Duration.ofSeconds(1), null);

        assertThat(s.scrub(clean)).isSameAs(clean);
        LlmException scrubbed = s.scrub(dirty);
        assertThat(scrubbed.getMessage()).isEqualTo("key ****");
        assertThat(scrubbed.reason()).isEqualTo(LlmException.Reason.RATE_LIMITED);
        assertThat(scrubbed.isRetryable()).isTrue();
        assertThat(scrubbed.statusCode()).hasValue(429);
        assertThat(scrubbed.retryAfter()).hasValue(java.time.Duration.ofSeconds(1));
    }
}
