package dev.pgagent.context.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.schema.ColumnInfo;
import dev.pgagent.api.schema.ForeignKey;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.TableInfo;
import dev.pgagent.api.schema.TableKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaIndexTest {
    private static TableInfo table(String name, String... columns) {
        List<ColumnInfo> cols = new ArrayList<>();
        List<ForeignKey> fks = new ArrayList<>();
        for (String c : columns) {
            String[] p = c.split(" ");
            cols.add(new ColumnInfo(p[0], p[1], true, null, null, null, null));
            if (p.length > 2) {
                fks.add(new ForeignKey(name + "_" + p[0] + "_fkey", List.of(p[0]), "crm", p[2], List.of("id")));
            }
        }
        return new TableInfo(
                "crm", name, TableKind.TABLE, cols, List.of("id"), List.of(), fks, List.of(), List.of(), null, -1);
    }

    private static SchemaIndex index() {
        List<TableInfo> tables = new ArrayList<>();
        tables.add(table("contacts", "id bigint", "full_name text", "email text"));
        tables.add(table(
                "contact_versions",
                "id bigint",
                "contact_id bigint contacts",
                "operation text",
                "changed_at timestamptz",
                "old_values jsonb",
                "new_values jsonb"));
        tables.add(table(
                "contact_extras",
                "id bigint",
                "contact_id bigint contacts",
                "category text",
                "created_at timestamptz",
                "left_values jsonb",
                "right_values jsonb"));
        tables.add(table("rooms", "id bigint", "name text", "title text"));
        for (int i = 0; i < 20; i++) {
            tables.add(table("lookup_" + i, "id bigint", "label text"));
        }
        return SchemaIndex.of(new SchemaModel(tables, List.of(), Instant.EPOCH));
    }

    @Test
    void recognisesChangeLogsAndPeopleTablesByTheirColumns() {
        SchemaIndex index = index();
        assertThat(index.isChangeLog(index.id("crm.contact_versions"))).isTrue();
        assertThat(index.isChangeLog(index.id("crm.contact_extras"))).isFalse();
        assertThat(index.isPersonTable(index.id("crm.contacts"))).isTrue();
        assertThat(index.isPersonTable(index.id("crm.rooms"))).isFalse();
    }

    @Test
    void aChangeLogCountsLessUnlessTheQuestionAsksForChanges() {
        SchemaIndex index = index();
        int log = index.id("crm.contact_versions");
        int twin = index.id("crm.contact_extras");
        double[] plain = index.scoreTables(index.analyze("contacts"));
        double[] asked = index.scoreTables(index.analyze("contacts history"));
        assertThat(plain[log]).isPositive().isLessThan(0.6 * asked[log]);
        assertThat(plain[twin]).isPositive().isEqualTo(asked[twin]);
    }

    @Test
    void analysesAQuestionInWorkLinearInItsLengthWhateverItsWords() {
        SchemaIndex index = index();
        StringBuilder distinct = new StringBuilder();
        for (int i = 0; distinct.length() < 1_000_000; i++) {
            distinct.append("contactz")
                    .append(Integer.toString(i, 26).replace('0', 'q'))
                    .append(' ');
        }
        List<String> questions = List.of(
                "contacts" + "x".repeat(1_000_000), // one long word a schema term starts
                "lookup" + "s".repeat(200_000) + " rooms " + "c".repeat(800_000),
                distinct.toString(), // 100,000 distinct words that extend a schema term
                "contacts history ".repeat(60_000));
        for (String q : questions) {
            Query query = index.analyze(q);
            // The old analysis tried every prefix of a word: about n * n / 2 steps for one word of n characters.
            assertThat(query.analysisSteps())
                    .as("steps for %,d characters", q.length())
                    .isLessThan(200L * q.length());
        }
        assertThat(index.analyze("contacts" + "x".repeat(1_000)).allTerms()).containsKey("contact");
    }

    @Test
    void matchesASchemaTermThatStartsALongerQuestionWord() {
        SchemaIndex index = index();
        assertThat(index.analyze("contactability").allTerms()).containsEntry("contact", 0.5);
        assertThat(index.analyze("lookupish").allTerms()).containsEntry("lookup", 0.5);
        assertThat(index.analyze("roo").allTerms()).doesNotContainKey("room");
    }

    private static SchemaIndex world() {
        List<TableInfo> tables = new ArrayList<>();
        tables.add(table("country", "id bigint", "name text", "governmentform text", "continent text"));
        tables.add(table("countrylanguage", "id bigint", "country_id bigint country", "language text"));
        tables.add(table("forms", "id bigint", "title text", "government text"));
        tables.add(table("password_resets", "id bigint", "token text"));
        tables.add(table("orders", "id bigint", "placed_at timestamptz", "amount numeric"));
        for (int i = 0; i < 20; i++) {
            tables.add(table("lookup_" + i, "id bigint", "label text"));
        }
        return SchemaIndex.of(new SchemaModel(tables, List.of(), Instant.EPOCH));
    }

    @Test
    void splitsCompoundNamesIntoWordsTheSchemaUsesElsewhere() {
        SchemaIndex index = world();
        double[] languages = index.scoreTables(index.analyze("languages"));
        assertThat(languages[index.id("crm.countrylanguage")]).isPositive();
        double[] governments = index.scoreTables(index.analyze("types of governments"));
        assertThat(governments[index.id("crm.country")]).isPositive();
        // "password" is one word here: neither "pass" nor "word" is a word of this schema.
        assertThat(index.scoreTables(index.analyze("word"))[index.id("crm.password_resets")])
                .isZero();
    }

    @Test
    void readsSortingAndCountingPhrasesAsInstructionsNotAsTableWords() {
        SchemaIndex index = world();
        assertThat(index.analyze("names ordered by amount").allTerms()).doesNotContainKey("order");
        assertThat(index.analyze("names in descending order of amount").allTerms())
                .doesNotContainKey("order");
        assertThat(index.analyze("customers who ordered shoes").allTerms()).containsKey("order");
        assertThat(index.analyze("the number of countries").allTerms()).doesNotContainKey("number");
        assertThat(index.analyze("Count the countries").allTerms()).doesNotContainKey("count");
        assertThat(index.analyze("their phone number").allTerms()).containsKey("number");
    }

    @Test
    void readsYearsAgesAndEverydayWords() {
        SchemaIndex index = world();
        assertThat(index.analyze("orders placed in 2013").allTerms())
                .containsKey("year")
                .containsKey("date");
        assertThat(index.analyze("orders of 123 customers").allTerms()).doesNotContainKey("year");
        assertThat(index.analyze("a cat that is 3 years old").allTerms())
                .containsKey("age")
                .containsEntry("pet", 0.6)
                .containsEntry("category", 0.4);
        assertThat(index.analyze("the qty").allTerms()).containsEntry("quantity", 0.9);
    }

    @Test
    void ranksTheTablesOfTheApplicationThatAnswersTheQuestionAboveLookAlikesElsewhere() {
        List<TableInfo> tables = new ArrayList<>();
        // Two applications, each in its schema, each with customers; only one has accounts with a balance.
        tables.add(new TableInfo(
                "bank",
                "customers",
                TableKind.TABLE,
                List.of(
                        new ColumnInfo("id", "bigint", false, null, null, null, null),
                        new ColumnInfo("name", "text", true, null, null, null, null)),
                List.of("id"),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                null,
                -1));
        tables.add(new TableInfo(
                "bank",
                "accounts",
                TableKind.TABLE,
                List.of(
                        new ColumnInfo("id", "bigint", false, null, null, null, null),
                        new ColumnInfo("customer_id", "bigint", false, null, null, null, null),
                        new ColumnInfo("balance", "numeric", true, null, null, null, null)),
                List.of("id"),
                List.of(),
                List.of(new ForeignKey("a_fk", List.of("customer_id"), "bank", "customers", List.of("id"))),
                List.of(),
                List.of(),
                null,
                -1));
        tables.add(new TableInfo(
                "shop",
                "customers",
                TableKind.TABLE,
                List.of(
                        new ColumnInfo("id", "bigint", false, null, null, null, null),
                        new ColumnInfo("name", "text", true, null, null, null, null)),
                List.of("id"),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                null,
                -1));
        SchemaIndex index = SchemaIndex.of(new SchemaModel(tables, List.of(), Instant.EPOCH));
        double[] s = index.scoreTables(index.analyze("names of customers with a balance over 100"));
        assertThat(s[index.id("bank.customers")]).isGreaterThan(s[index.id("shop.customers")]);
        assertThat(s[index.id("shop.customers")]).isPositive();
    }
}
