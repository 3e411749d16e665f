package dev.pgagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.config.ConfigLoader;
import dev.pgagent.config.DatabaseProfile;
import dev.pgagent.db.postgres.PostgresDatabase;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client builds a profile's database with its read replica and maxReplicaLag; nothing connects here. */
class ReplicaOptionsTest {
    @TempDir
    Path dir;

    private DatabaseProfile profile(String extra) throws Exception {
        Path file = dir.resolve("pgagent.yaml");
        Files.writeString(file, """
                version: 1
                databases:
                  - name: shop
                    url: jdbc:postgresql://primary:5432/shop
                    user: reader
                    password: ${PGPASSWORD_SHOP}
                """ + extra);
        return ConfigLoader.builder()
                .file(file)
                .environment(Map.of("PGPASSWORD_SHOP", "s3cret"))
                .homeDirectory(dir)
                .build()
                .load()
                .database();
    }

    private static Cli cli() {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return new Cli(new ByteArrayInputStream(new byte[0]), sink, sink, Map.of(), false, Terminals.NONE);
    }

    @Test
    void aProfileWithAReplicaGetsItWithItsLagBound() throws Exception {
        DatabaseProfile p = profile("    readReplicaUrl: jdbc:postgresql://replica:5432/shop\n    maxReplicaLag: 3s\n");
        PostgresDatabase db = DatabaseOptions.database(cli(), p);
        assertThat(db.readReplica()).isPresent();
        assertThat(db.maxReplicaLag()).isEqualTo(Duration.ofSeconds(3));
        assertThat(DatabaseOptions.replicaDataSource(cli(), p)).isNotNull();
        assertThat(db.toString()).doesNotContain("s3cret");
    }

    @Test
    void aProfileWithoutAReplicaReadsOnThePrimary() throws Exception {
        DatabaseProfile p = profile("");
        PostgresDatabase db = DatabaseOptions.database(cli(), p);
        assertThat(db.readReplica()).isEmpty();
        assertThat(DatabaseOptions.replicaDataSource(cli(), p)).isNull();
    }
}
