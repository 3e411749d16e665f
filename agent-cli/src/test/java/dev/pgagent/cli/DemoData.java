package dev.pgagent.cli;

import dev.pgagent.cli.demo.DemoDatabase;
import dev.pgagent.testsupport.TestPostgres;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;

/** One database per test JVM with the demo shop loaded, and how to point the CLI at it. */
final class DemoData {
    private static @Nullable DataSource dataSource;
    private static @Nullable String url;

    private DemoData() {}

    static synchronized DataSource dataSource() {
        if (dataSource == null) {
            DataSource ds = TestPostgres.freshDatabase("cli_demo");
            DemoDatabase.load(ds);
            url = urlOf(ds);
            dataSource = ds;
        }
        return dataSource;
    }

    static String url() {
        dataSource();
        return java.util.Objects.requireNonNull(url);
    }

    static String urlOf(DataSource ds) {
        String database = ((PGSimpleDataSource) ds).getDatabaseName();
        return TestPostgres.server().jdbcUrl(database);
    }

    /** Returns an environment holding the test server's credentials the way a user would set them. */
    static Map<String, String> env(Map<String, String> more) {
        Map<String, String> env = new HashMap<>(more);
        env.put("PGUSER", TestPostgres.server().user());
        if (!TestPostgres.server().password().isEmpty()) {
            env.put("PGPASSWORD", TestPostgres.server().password());
        }
        return env;
    }
}
