package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DatabaseOptionsTest {
    @Test
    void hidesPasswordsInJdbcUrlsAndUris() {
        assertThat(DatabaseOptions.describe("jdbc:postgresql://h/db?user=a&password=s3cret&ssl=true"))
                .isEqualTo("jdbc:postgresql://h/db?user=a&password=****&ssl=true");
        assertThat(DatabaseOptions.describe("postgresql://alice:s3cret@h:5432/db"))
                .isEqualTo("postgresql://alice:****@h:5432/db");
    }
}
