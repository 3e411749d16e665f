package dev.pgagent.llm.openai.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.LlmException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ErrorMapperTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC);

    @Test
    void mapsTimeoutsAndOtherIoErrors() {
        assertThat(ErrorMapper.fromIoException(new SocketTimeoutException("Read timed out"), "t")
                        .reason())
                .isEqualTo(LlmException.Reason.TIMEOUT);
        assertThat(ErrorMapper.fromIoException(new InterruptedIOException("timeout"), "t")
                        .reason())
                .isEqualTo(LlmException.Reason.TIMEOUT);
        LlmException network = ErrorMapper.fromIoException(new UnknownHostException("api.example"), "t");
        assertThat(network.reason()).isEqualTo(LlmException.Reason.NETWORK);
        assertThat(network.isRetryable()).isTrue();
        assertThat(network.getMessage()).contains("api.example");
        assertThat(ErrorMapper.fromIoException(new IOException(), "t").getMessage())
                .contains("IOException");
    }

    @Test
    void keepsAnEmptyBodyOutOfTheMessage() {
        LlmException e = ErrorMapper.fromResponse(502, "", h -> null, CLOCK, "http://h/v1/chat/completions");

        assertThat(e.getMessage())
                .isEqualTo("OpenAI chat call failed with HTTP 502 (SERVER_ERROR): provider error "
                        + "[http://h/v1/chat/completions]");
    }
}
