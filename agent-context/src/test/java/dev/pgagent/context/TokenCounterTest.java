package dev.pgagent.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenCounterTest {
    @Test
    void countsTokensWithARealTokenizer() {
        TokenCounter c = TokenCounter.defaultCounter();
        assertThat(c.encodingName()).isEqualTo("o200k_base");
        assertThat(c.count("")).isZero();
        assertThat(c.count("hello world")).isEqualTo(2);
        assertThat(c.count("<|endoftext|>")).isGreaterThan(1);
    }

    @Test
    void supportsOtherEncodingsByName() {
        assertThat(TokenCounter.of("cl100k_base").count("hello world")).isEqualTo(2);
        assertThatThrownBy(() -> TokenCounter.of("nope"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("but was nope");
    }
}
