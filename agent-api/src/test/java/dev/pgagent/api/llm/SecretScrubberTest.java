package dev.pgagent.api.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.LlmException;
import org.junit.jupiter.api.Test;

class SecretScrubberTest {
    @Test
    void removesTheKeysAndKeyLikeTokens() {
        SecretScrubber s = SecretScrubber.of("my-own-secret", null, "");

        assertThat(s.scrub("key my-own-secret here")).isEqualTo("key **** here");
        assertThat(s.scrub("Incorrect API key provided: sk-proj-abc*****************wxyz."))
                .isEqualTo("Incorrect API key provided: sk-****.");
        assertThat(s.scrub("invalid x-api-key: sk-ant-api03-AbCdEf")).doesNotContain("AbCdEf");
        assertThat(s.scrub("x-api-key: opaque-gateway-token")).isEqualTo("x-api-key: ****");
        assertThat(s.scrub("Authorization: Bearer abc.def")).isEqualTo("Authorization: Bearer ****");
        assertThat(s.scrub("nothing secret")).isEqualTo("nothing secret");
    }

    @Test
    void scrubsAnExceptionKeepingItsFacts() {
        LlmException e =
                new LlmException("echo my-own-secret", LlmException.Reason.AUTHENTICATION, false, 401, null, null);

        LlmException clean = SecretScrubber.of("my-own-secret").scrub(e);

        assertThat(clean.getMessage()).isEqualTo("echo ****");
        assertThat(clean.statusCode()).hasValue(401);
        assertThat(clean.reason()).isEqualTo(LlmException.Reason.AUTHENTICATION);
        LlmException plain = new LlmException("fine", LlmException.Reason.OTHER, false, null);
        assertThat(SecretScrubber.of("x").scrub(plain)).isSameAs(plain);
        assertThat(SecretScrubber.isSecretHeader("X-Api-Key")).isTrue();
        assertThat(SecretScrubber.isSecretHeader("anthropic-version")).isFalse();
    }
}
