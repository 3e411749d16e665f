package dev.pgagent.db.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.schema.IndexInfo;
import dev.pgagent.api.schema.TableInfo;
import dev.pgagent.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The definitions the introspection assembles itself must equal what pg_get_indexdef prints, for every index. */
class IndexDefinitionIT {
    @Test
    void matchesPgGetIndexdefForEveryKindOfIndex() throws Exception {
        DataSource ds = TestPostgres.freshDatabase("indexdef");
        Fixtures.exec(ds, """
                CREATE SCHEMA "Odd Schema";
                CREATE TYPE "Odd Schema".state AS ENUM ('a', 'b');
                CREATE DOMAIN "Odd Schema".code AS text;
                CREATE TABLE "Odd Schema"."Mixed Case" (
                  "user" int, "order" text, "Name" varchar(20), plain_col bigint, c_col text COLLATE "C",
                  st "Odd Schema".state, tags text[], doc jsonb, dom "Odd Schema".code, "ünï" int, _x1 int,
                  ch char(3), n numeric, ts timestamptz, PRIMARY KEY ("user", plain_col), UNIQUE ("order"));
                CREATE INDEX ON "Odd Schema"."Mixed Case" ("Name");
                CREATE INDEX ON "Odd Schema"."Mixed Case" (c_col);
                CREATE INDEX odd_c_default ON "Odd Schema"."Mixed Case" (c_col COLLATE "default");
                CREATE INDEX ON "Odd Schema"."Mixed Case" (st);
                CREATE INDEX ON "Odd Schema"."Mixed Case" USING gin (tags);
                CREATE INDEX ON "Odd Schema"."Mixed Case" USING gin (doc);
                CREATE INDEX ON "Odd Schema"."Mixed Case" USING gin (doc jsonb_path_ops);
                CREATE INDEX ON "Odd Schema"."Mixed Case" (dom);
                CREATE INDEX ON "Odd Schema"."Mixed Case" ("ünï", _x1);
                CREATE INDEX ON "Odd Schema"."Mixed Case" (ch);
                CREATE INDEX ON "Odd Schema"."Mixed Case" (n DESC);
                CREATE INDEX ON "Odd Schema"."Mixed Case" (ts NULLS FIRST);
                CREATE INDEX ON "Odd Schema"."Mixed Case" (lower("order"));
                CREATE INDEX ON "Odd Schema"."Mixed Case" (plain_col) WHERE plain_col > 0;
                CREATE INDEX ON "Odd Schema"."Mixed Case" (plain_col) INCLUDE ("Name");
                CREATE INDEX ON "Odd Schema"."Mixed Case" (plain_col) WITH (fillfactor = 70);
                CREATE INDEX ON "Odd Schema"."Mixed Case" USING hash ("order");
                CREATE INDEX ON "Odd Schema"."Mixed Case" ("order" text_pattern_ops);
                CREATE INDEX ON "Odd Schema"."Mixed Case" ("Name" varchar_pattern_ops);
                CREATE INDEX ON "Odd Schema"."Mixed Case" USING brin (ts);
                CREATE TABLE public."select" (id int PRIMARY KEY, "limit" int UNIQUE);
                CREATE TABLE public.parted (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
                CREATE TABLE public.parted_1 PARTITION OF public.parted
                  FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
                CREATE INDEX ON public.parted (at);
                CREATE MATERIALIZED VIEW public.mv AS SELECT 1 AS one;
                CREATE UNIQUE INDEX ON public.mv (one);
                """);
        Map<String, String> expected = new TreeMap<>();
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT ic.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x"
                        + " JOIN pg_class ic ON ic.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid"
                        + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE n.nspname IN ('Odd Schema', 'public') AND NOT c.relispartition")) {
            while (rs.next()) {
                expected.put(rs.getString(1), rs.getString(2));
            }
        }
        Map<String, String> actual = new TreeMap<>();
        for (TableInfo t : PostgresDatabase.of(ds).schema().tables()) {
            for (IndexInfo i : t.indexes()) {
                actual.put(i.name(), i.definition());
            }
        }
        assertThat(expected).hasSizeGreaterThan(25);
        assertThat(actual).isEqualTo(expected);
    }
}
