package dev.pgagent.db.postgres;

import dev.pgagent.api.safety.SafetyValidator;
import dev.pgagent.api.safety.StatementKind;
import dev.pgagent.api.safety.Verdict;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Set;
import javax.sql.DataSource;

/** A small shop schema with foreign keys and no secondary indexes, and a validator that allows only SELECT. */
final class AdvisorFixtures {
    static final String SCHEMA = """
            CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL, country text NOT NULL);
            CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers,
                status text NOT NULL, ordered_at date NOT NULL, total numeric(10, 2) NOT NULL, note text);
            CREATE TABLE "Order Lines" (order_id int NOT NULL REFERENCES orders, line int NOT NULL,
                "Product" text NOT NULL, qty int NOT NULL, PRIMARY KEY (order_id, line));
            INSERT INTO customers SELECT g, 'c' || g || '@example.com', (ARRAY['de', 'fr', 'it', 'es'])[1 + g % 4]
                FROM generate_series(1, 5000) g;
            INSERT INTO orders SELECT g, 1 + (g * 7919) % 5000, (ARRAY['open', 'paid', 'shipped'])[1 + g % 3],
                DATE '2020-01-01' + (g % 1500), (g % 1000) + 0.5, repeat('n', 40)
                FROM generate_series(1, 60000) g;
            INSERT INTO "Order Lines" SELECT o, l, 'p' || ((o * l) % 700), 1 + (o + l) % 5
                FROM generate_series(1, 60000) o, generate_series(1, 2) l;
            ANALYZE;
            """;

    /** Statements a shop runs; each but the last (a primary key lookup) is helped by a new index. */
    static final String BY_CUSTOMER = "SELECT id, total FROM orders WHERE customer_id = 42";

    static final String BY_EMAIL = "SELECT o.id, o.total FROM orders o JOIN customers c ON c.id = o.customer_id"
            + " WHERE c.email = 'c42@example.com'";
    static final String RECENT =
            "SELECT id, ordered_at FROM orders WHERE ordered_at >= DATE '2023-01-01'" + " ORDER BY ordered_at LIMIT 10";
    static final String LINES = "SELECT \"Product\", qty FROM \"Order Lines\" WHERE \"Product\" = 'p7'";
    static final String BY_ID = "SELECT * FROM orders WHERE id = 7";

    /** Allows statements that start with SELECT or WITH as reads; denies the rest as writes. */
    static final SafetyValidator SELECT_ONLY = sql -> {
        String s = sql.strip().toLowerCase(Locale.ROOT);
        return s.startsWith("select") || s.startsWith("with")
                ? Verdict.allow(StatementKind.READ, "a read", Set.of())
                : Verdict.deny(StatementKind.WRITE, "only reads are allowed", Set.of());
    };

    private AdvisorFixtures() {}

    static long count(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
