package dev.pgagent.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.pgagent.api.schema.ColumnRef;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.TableInfo;
import dev.pgagent.api.schema.TableKind;
import dev.pgagent.api.schema.ValueSampler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SchemaContextBuilderTest {
    private static final TokenCounter TOKENS = TokenCounter.defaultCounter();
    private final SchemaContextBuilder shop = SchemaContextBuilder.of(TestSchemas.shop());

    private static List<String> names(SchemaContext ctx) {
        return ctx.tables().stream().map(ScoredTable::qualifiedName).toList();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 5, 20, 40, 60, 100, 150, 250, 500, 1000, 4000, 100_000})
    void neverExceedsTheBudgetAndReportsTheExactTokenCount(int budget) {
        SchemaContextBuilder big = SchemaContextBuilder.of(TestSchemas.big(300));
        for (String q : List.of("orders of customers", "attribute 3 of entity 17", "", "zzz unknown words")) {
            SchemaContext ctx = big.build(q, budget);
            assertThat(ctx.tokens()).isLessThanOrEqualTo(budget).isEqualTo(TOKENS.count(ctx.text()));
            SchemaContext small = shop.build(q, budget);
            assertThat(small.tokens()).isLessThanOrEqualTo(budget).isEqualTo(TOKENS.count(small.text()));
        }
    }

    @Test
    void fillsABigBudgetWithManyTablesAndSaysHowToReachTheRest() {
        SchemaContext ctx = SchemaContextBuilder.of(TestSchemas.big(300)).build("entity orders customers", 3000);
        assertThat(ctx.tokens()).isGreaterThan(2000);
        assertThat(ctx.tables()).hasSizeGreaterThan(5);
        assertThat(ctx.text())
                .contains("of 300 tables shown")
                .contains("search_schema")
                .contains("describe_table");
    }

    @Test
    void rejectsANegativeBudget() {
        assertThatThrownBy(() -> shop.build("orders", -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tokenBudget must be >= 0 but was -1");
    }

    @Test
    void includesTheBridgeTablesOnTheForeignKeyPathBetweenMatchedTables() {
        SchemaContext ctx = shop.build("Which customers got which products?", 1000);
        assertThat(names(ctx)).contains("crm.customers", "catalog.products", "sales.orders", "sales.order_items");

        List<dev.pgagent.api.schema.TableInfo> tables =
                new ArrayList<>(TestSchemas.shop().tables());
        tables.add(TestSchemas.table("school", "pupils", "Children at the school", "id bigint pk", "name text"));
        tables.add(TestSchemas.table(
                "school", "links", null, "id bigint pk", "p bigint -> school.pupils", "s bigint -> school.sessions"));
        tables.add(TestSchemas.table(
                "school", "sessions", null, "id bigint pk", "l bigint -> school.lectures", "room text"));
        tables.add(TestSchemas.table("school", "lectures", "Subjects taught", "id bigint pk", "title text"));
        SchemaModel schema = new SchemaModel(tables, List.of(), java.time.Instant.EPOCH);
        SchemaContext school = SchemaContextBuilder.of(schema).build("pupils and their lectures", 1000);
        assertThat(names(school))
                .startsWith("school.pupils", "school.lectures")
                .contains("school.links", "school.sessions");
        ScoredTable bridge = school.tables().stream()
                .filter(t -> t.qualifiedName().equals("school.links"))
                .findFirst()
                .orElseThrow();
        assertThat(bridge.viaForeignKey()).isTrue();
        assertThat(bridge.score()).isZero();
        assertThat(school.tables().get(0).viaForeignKey()).isFalse();
        assertThat(school.tables().get(0).score()).isPositive();
    }

    @Test
    void addsTheTableAForeignKeyColumnNamedInTheQuestionPointsTo() {
        List<dev.pgagent.api.schema.TableInfo> tables =
                new ArrayList<>(TestSchemas.shop().tables());
        tables.add(TestSchemas.table(
                "support",
                "tickets",
                "Help requests",
                "id bigint pk",
                "subject text",
                "assignee_id bigint -> people.staff_members"));
        tables.add(TestSchemas.table("people", "staff_members", null, "id bigint pk", "full_name text"));
        SchemaModel schema = new SchemaModel(tables, List.of(), java.time.Instant.EPOCH);
        SchemaContext ctx = SchemaContextBuilder.of(schema).build("open tickets per assignee", 300);
        assertThat(names(ctx)).startsWith("support.tickets", "people.staff_members");
        assertThat(ctx.tables().get(1).viaForeignKey()).isTrue();
    }

    @Test
    void disambiguatesLookAlikeTablesBySchemaWords() {
        SchemaContext billing = shop.build("billing customers with their VAT number", 2000);
        assertThat(names(billing).get(0)).isEqualTo("billing.customers");
        SchemaContext crm = shop.build("crm customers living in Berlin (city) with email", 2000);
        assertThat(names(crm).get(0)).isEqualTo("crm.customers");
        SchemaContext purchasing = shop.build("purchase orders sent to suppliers", 2000);
        assertThat(names(purchasing).get(0)).isEqualTo("purchasing.orders");
    }

    @Test
    void ranksLegacyCopiesBelowLiveTablesUnlessAskedFor() {
        List<String> live = names(shop.build("customers first name and email", 4000));
        assertThat(live.indexOf("crm.customers")).isLessThan(live.indexOf("legacy.customers_old"));
        assertThat(names(shop.build("customers in the legacy system", 4000)).get(0))
                .isEqualTo("legacy.customers_old");
    }

    @Test
    void matchesAbbreviationsCamelCaseAndPlurals() {
        assertThat(names(shop.build("What quantity was ordered per order item?", 300))
                        .get(0))
                .isEqualTo("sales.order_items");
        assertThat(names(shop.build("employees by hire date", 300)).get(0)).isEqualTo("hr.employees");
        assertThat(names(shop.build("total amount of each order", 300)).get(0)).isEqualTo("sales.orders");
    }

    @Test
    void rendersOneLineAColumnWithKeysAndForeignKeysMarked() {
        String text = shop.build("sales orders and their order items", 2000).text();
        assertThat(text).contains("TABLE sales.orders -- Orders placed in the shop\n");
        assertThat(text).contains("  id bigint PK\n");
        assertThat(text).contains("  customer_id bigint -> crm.customers.id\n");
        assertThat(text).contains("  order_id bigint -> sales.orders.id\n");
    }

    @Test
    void showsEnumLabelsForColumnsTheQuestionFiltersOn() {
        String text =
                shop.build("How many orders were shipped last week?", 1000).text();
        assertThat(text)
                .contains(
                        "status sales.order_status -- values: 'pending','paid','shipped','delivered'," + "'cancelled'");
    }

    @Test
    void showsSampledValuesNextToTheColumnAndAsksTheSamplerOnlyAboutRelevantColumns() {
        List<List<ColumnRef>> asked = new ArrayList<>();
        ValueSampler sampler = columns -> {
            asked.add(columns);
            return Map.of(new ColumnRef("catalog", "products", "category"), List.of("shoes", "shirts", "it's ok"));
        };
        SchemaContextBuilder b = SchemaContextBuilder.builder()
                .schema(TestSchemas.shop())
                .valueSampler(sampler)
                .build();
        String text = b.build("Which products are shoes?", 1000).text();
        assertThat(text).contains("  category text -- e.g. shoes, shirts; values: 'shoes','shirts','it''s ok'\n");
        assertThat(asked).hasSize(1);
        assertThat(asked.get(0)).contains(new ColumnRef("catalog", "products", "category"));
        assertThat(asked.get(0))
                .noneMatch(c -> c.column().equals("list_price") || c.column().equals("id"));
        asked.clear();
        b.build("customers by email and first name in each city", 1000);
        assertThat(asked).hasSize(1);
        assertThat(asked.get(0))
                .contains(new ColumnRef("crm", "customers", "city"))
                .noneMatch(c -> c.column().contains("email") || c.column().contains("name"));
    }

    @Test
    void findsTheApplicationAQuestionIsAboutAmongManyWithLookAlikeTables() {
        SchemaContextBuilder apps = SchemaContextBuilder.of(TestSchemas.applications());
        // Nothing names pets: a dog is one, and the pet tables come with the student of the same application.
        List<String> pets = names(apps.build("What is the first name of every student who has a dog?", 300));
        assertThat(pets).contains("pets_1.student", "pets_1.has_pet", "pets_1.pets");
        assertThat(pets.indexOf("pets_1.student")).isLessThan(pets.indexOf("college.student"));
        // Written together in the schema: governmentform, countrylanguage.
        assertThat(names(apps.build("How many types of governments are in Africa?", 200))
                        .get(0))
                .isEqualTo("world.country");
        assertThat(names(apps.build("Which languages are spoken in Aruba?", 200)))
                .contains("world.countrylanguage", "world.country");
        // Twenty-two look-alike customers tables; the shop's come with its orders.
        List<String> shop = names(apps.build("Which customers ordered products over 100?", 300));
        assertThat(shop.subList(0, 4))
                .containsExactlyInAnyOrder("shop.customers", "shop.orders", "shop.order_items", "shop.products");
    }

    @Test
    void bringsAFurtherTableIntoTheCoreWhenOneOfItsValuesIsNamedInTheQuestion() {
        List<TableInfo> t = new ArrayList<>();
        t.add(TestSchemas.table(
                "sales",
                "orders",
                "Orders placed in the shop",
                "id bigint pk",
                "status text",
                "placed_at timestamptz"));
        t.add(TestSchemas.table(
                "sales",
                "order_notes",
                "Notes on orders",
                "id bigint pk",
                "order_id bigint -> sales.orders",
                "body text"));
        t.add(TestSchemas.table(
                "sales",
                "order_returns",
                "Returned orders",
                "id bigint pk",
                "order_id bigint -> sales.orders",
                "reason text"));
        t.add(TestSchemas.table(
                "purchasing", "purchase_orders", "Orders sent to suppliers", "id bigint pk", "supplier text"));
        t.add(TestSchemas.table(
                "logistics", "shipments", null, "id bigint pk", "order_id bigint -> sales.orders", "carrier text"));
        for (int i = 0; i < 30; i++) {
            t.add(TestSchemas.table("misc", "lookup_" + i, "Lookup list " + i, "id bigint pk", "label text"));
        }
        ValueSampler sampler = columns -> {
            Map<ColumnRef, List<String>> out = new java.util.HashMap<>();
            for (ColumnRef c : columns) {
                if (c.column().equals("carrier")) {
                    out.put(c, List.of("Speedy", "Parcelo"));
                } else if (c.column().equals("status")) {
                    out.put(c, List.of("open", "done"));
                }
            }
            return out;
        };
        SchemaModel schema = new SchemaModel(t, List.of(), java.time.Instant.EPOCH);
        SchemaContextBuilder plain = SchemaContextBuilder.of(schema);
        SchemaContextBuilder grounded = SchemaContextBuilder.builder()
                .schema(schema)
                .valueSampler(sampler)
                .build();
        String question = "How many orders went with Speedy?";
        SchemaContext with = grounded.build(question, 2000);
        assertThat(names(with).get(1)).isEqualTo("logistics.shipments"); // next to the best table
        assertThat(with.tables().get(1).viaForeignKey()).isFalse();
        assertThat(with.text()).contains("carrier text -- values: 'Speedy','Parcelo'");
        assertThat(names(plain.build(question, 2000)).indexOf("logistics.shipments"))
                .isGreaterThan(1);
        // Under a tight budget the shipments make it only because of the value.
        int gained = 0;
        for (int budget = 60; budget <= 400; budget += 10) {
            boolean without = names(plain.build(question, budget)).contains("logistics.shipments");
            boolean withValue = names(grounded.build(question, budget)).contains("logistics.shipments");
            gained += !without && withValue ? 1 : 0;
        }
        assertThat(gained).isPositive();
    }

    @Test
    void neverAsksTheSamplerAboutColumnsOfViewsOrForeignTables() {
        List<TableInfo> tables = new ArrayList<>(TestSchemas.shop().tables());
        for (TableKind kind : List.of(TableKind.VIEW, TableKind.FOREIGN_TABLE, TableKind.MATERIALIZED_VIEW)) {
            TableInfo t = TestSchemas.table(
                    "catalog",
                    "category_" + kind.name().toLowerCase(java.util.Locale.ROOT),
                    null,
                    "category text",
                    "status text");
            tables.add(new TableInfo(
                    t.schema(),
                    t.name(),
                    kind,
                    t.columns(),
                    List.of(),
                    List.of(),
                    List.of(),
                    List.of(),
                    List.of(),
                    null,
                    -1));
        }
        List<ColumnRef> asked = new ArrayList<>();
        ValueSampler sampler = columns -> {
            asked.addAll(columns);
            return Map.of();
        };
        SchemaContextBuilder.builder()
                .schema(new SchemaModel(tables, TestSchemas.shop().enums(), java.time.Instant.EPOCH))
                .valueSampler(sampler)
                .build()
                .build("category status of products", 2000);
        assertThat(asked)
                .extracting(ColumnRef::table)
                .contains("category_materialized_view")
                .doesNotContain("category_view", "category_foreign_table");
    }

    @Test
    void usesAHostRankerAndCombinesRankersWithWeights() {
        SchemaModel schema = TestSchemas.shop();
        TableRanker embeddings = (q, s) -> Map.of("hr.departments", 0.9, "hr.employees", 0.2);
        SchemaContext host = SchemaContextBuilder.builder()
                .schema(schema)
                .ranker(embeddings)
                .build()
                .build("anything", 2000);
        assertThat(names(host).get(0)).isEqualTo("hr.departments");

        HybridRanker hybrid = HybridRanker.builder()
                .add(TableRanker.lexical(), 1.0)
                .add(embeddings, 3.0)
                .build();
        Map<String, Double> scores = hybrid.score("staff employees", schema);
        assertThat(scores.get("hr.departments")).isEqualTo(3.0 * 0.9 / 0.9);
        assertThat(scores.get("hr.employees")).isGreaterThan(1.0);
        assertThatThrownBy(() -> HybridRanker.builder().build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> HybridRanker.builder().add(embeddings, 0))
                .hasMessage("weight must be positive and finite but was 0.0");
    }

    @Test
    void lexicalRankerScoresOnlyMatchingTables() {
        Map<String, Double> s = TableRanker.lexical().score("invoices due", TestSchemas.shop());
        assertThat(s).containsKey("billing.invoices").doesNotContainKey("misc.lookup_1");
        assertThat(s.values()).allMatch(v -> v > 0);
    }

    @Test
    void withoutForeignKeyExpansionOnlyMatchingTablesAreShown() {
        SchemaContextBuilder plain = SchemaContextBuilder.builder()
                .schema(TestSchemas.shop())
                .foreignKeyExpansion(false)
                .build();
        assertThat(plain.build("customers and products", 4000).tables()).noneMatch(ScoredTable::viaForeignKey);
    }

    @Test
    void compactsColumnsWhenTheBudgetIsTight() {
        SchemaContextBuilder big = SchemaContextBuilder.of(TestSchemas.big(50));
        SchemaContext tight = big.build("entity 7", 200);
        assertThat(tight.text())
                .contains("TABLE s0.entity_7")
                .contains("more columns")
                .doesNotContain("long column");
        SchemaContext roomy = big.build("entity 7", 4000);
        assertThat(roomy.text()).contains("attribute_9_of_entity_7");
    }

    @Test
    void aVerbBringsTheThingsItImpliesIntoTheRanking() {
        SchemaContext ctx = shop.build("What do people in Spain buy?", 4000);
        ScoredTable products = ctx.tables().stream()
                .filter(t -> t.qualifiedName().equals("catalog.products"))
                .findFirst()
                .orElseThrow();
        assertThat(products.score()).isPositive();
        assertThat(products.viaForeignKey()).isFalse();
    }

    private static SchemaModel ledger() {
        List<dev.pgagent.api.schema.TableInfo> tables = new ArrayList<>();
        tables.add(TestSchemas.table("fin", "cost_centers", "Cost centres", "id bigint pk", "name text"));
        tables.add(TestSchemas.table(
                "fin",
                "budgets",
                "Yearly budget per cost centre",
                "id bigint pk",
                "cost_center_id bigint -> fin.cost_centers",
                "fiscal_year int",
                "amount numeric"));
        tables.add(TestSchemas.table(
                "fin",
                "journal_lines",
                "Debit and credit lines",
                "id bigint pk",
                "journal_entry_id bigint -> fin.journal_entries",
                "cost_center_id bigint -> fin.cost_centers",
                "debit numeric",
                "credit numeric"));
        tables.add(TestSchemas.table(
                "fin", "journal_entries", "Accounting entries", "id bigint pk", "posted_on date", "memo text"));
        for (int i = 0; i < 20; i++) {
            tables.add(TestSchemas.table("misc", "lookup_" + i, null, "id bigint pk", "name text"));
        }
        return new SchemaModel(tables, List.of(), java.time.Instant.EPOCH);
    }

    @Test
    void aQuestionAboutAPeriodGetsTheDatedHeaderOfALineTableNextToABestTable() {
        SchemaContextBuilder contexts = SchemaContextBuilder.of(ledger());
        assertThat(names(contexts.build("Budget versus actual per cost center this year", 2000)))
                .contains("fin.cost_centers", "fin.budgets", "fin.journal_lines", "fin.journal_entries");
        assertThat(names(contexts.build("Budget versus actual per cost center", 2000)))
                .contains("fin.cost_centers", "fin.budgets", "fin.journal_lines")
                .doesNotContain("fin.journal_entries");
    }

    @Test
    void aTightBudgetShowsFurtherTablesBeforeEveryColumnOfTheBestOnes() {
        List<dev.pgagent.api.schema.TableInfo> tables = new ArrayList<>();
        List<String> cols = new ArrayList<>(List.of("id bigint pk"));
        for (int c = 0; c < 14; c++) {
            cols.add("attribute_" + c + " text # what attribute " + c + " of a shipment means, in a few words");
        }
        tables.add(TestSchemas.table("logistics", "shipments", "Parcels sent", cols.toArray(new String[0])));
        tables.add(TestSchemas.table("misc", "things", null, "id bigint pk", "ref text # the shipment"));
        for (int i = 0; i < 20; i++) {
            tables.add(TestSchemas.table("misc", "lookup_" + i, null, "id bigint pk", "name text"));
        }
        SchemaContextBuilder contexts =
                SchemaContextBuilder.of(new SchemaModel(tables, List.of(), java.time.Instant.EPOCH));
        int full = TOKENS.count(contexts.build("shipments", 4000).text());
        SchemaContext tight = contexts.build("shipments", full - 10);
        assertThat(names(tight)).containsExactly("logistics.shipments", "misc.things");
        assertThat(tight.text()).contains("more columns");
        assertThat(names(contexts.build("shipments", 4000))).containsExactly("logistics.shipments", "misc.things");
    }

    @Test
    void aPersonNamedByTitleBringsThePeopleTableABestTableReferences() {
        List<dev.pgagent.api.schema.TableInfo> tables = new ArrayList<>();
        tables.add(TestSchemas.table(
                "school",
                "sections",
                "Courses taught in a term",
                "id bigint pk",
                "course_id bigint -> school.courses",
                "teacher_id bigint -> school.teachers",
                "name text",
                "timetable text"));
        tables.add(TestSchemas.table("school", "courses", null, "id bigint pk", "title text"));
        tables.add(TestSchemas.table("school", "teachers", null, "id bigint pk", "full_name text", "email text"));
        for (int i = 0; i < 20; i++) {
            tables.add(TestSchemas.table("misc", "lookup_" + i, null, "id bigint pk", "name text"));
        }
        SchemaContextBuilder contexts =
                SchemaContextBuilder.of(new SchemaModel(tables, List.of(), java.time.Instant.EPOCH));
        List<String> titled = names(contexts.build("What is the timetable of Ms. Lee's sections?", 2000));
        assertThat(titled.indexOf("school.teachers")).isBetween(0, titled.indexOf("school.courses"));
        List<String> plain = names(contexts.build("What is the timetable of the sections?", 2000));
        assertThat(plain.indexOf("school.courses")).isBetween(0, plain.indexOf("school.teachers"));
    }

    @Test
    void buildsAContextForAOneMegabyteQuestionQuickly() {
        SchemaContextBuilder big = SchemaContextBuilder.of(TestSchemas.big(300));
        String oneWord = "customers" + "x".repeat(1_000_000);
        String manyWords = "orders of customers with invoices ".repeat(30_000);
        // The old prefix matching needed minutes for the first (every prefix of the word was looked up); the
        // limit is many times what the linear analysis needs on a loaded machine.
        SchemaContext ctx = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> big.build(oneWord, 2_000));
        assertThat(ctx.tokens()).isLessThanOrEqualTo(2_000);
        SchemaContext many = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> big.build(manyWords, 2_000));
        assertThat(names(many)).isNotEmpty();
    }
}
