package dev.pgagent.safety.pii;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgagent.api.safety.RedactionMode;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.sql.QueryResult;
import dev.pgagent.api.sql.ResultColumn;
import dev.pgagent.api.sql.Truncation;
import java.nio.charset.StandardCharsets;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PiiRedactorTest {
    private static PiiRedactor redactor(RedactionMode mode, String... hints) {
        return PiiRedactor.of(
                SafetyPolicy.builder().redaction(mode).piiColumnHints(hints).build());
    }

    private static QueryResult table(List<String> names, String[]... rows) {
        List<ResultColumn> columns = new ArrayList<>();
        for (String n : names) {
            columns.add(new ResultColumn(n, "text", Types.VARCHAR));
        }
        QueryResult.Builder b = QueryResult.builder()
                .columns(columns)
                .truncation(Truncation.ROW_LIMIT)
                .elapsed(Duration.ofMillis(12))
                .byteCount(999);
        for (String[] row : rows) {
            b.addRow(Arrays.asList(row));
        }
        return b.build();
    }

    private static final QueryResult CUSTOMERS = table(
            List.of("id", "name", "email", "note"),
            new String[] {"1", "Ada", "ada@example.com", "prefers phone: +44 20 7946 0958"},
            new String[] {"2", "Bob", null, "no contact details"},
            new String[] {"3", "Cy", "cy@example.org", "card 4111 1111 1111 1111 on file"});

    private static List<String> column(QueryResult r, String name) {
        int i = r.columns().stream().map(ResultColumn::name).toList().indexOf(name);
        return r.rows().stream().map(row -> row.get(i)).toList();
    }

    @Test
    void masksHintedColumnsWholeAndOnlyTheMatchedSpanInOtherText() {
        QueryResult r = redactor(RedactionMode.MASK).redact(CUSTOMERS);

        assertThat(column(r, "email")).containsExactly("[PII]", null, "[PII]");
        assertThat(column(r, "note"))
                .containsExactly("prefers phone: [PHONE]", "no contact details", "card [CARD] on file");
        assertThat(column(r, "id")).containsExactly("1", "2", "3");
        assertThat(column(r, "name")).containsExactly("Ada", "Bob", "Cy");
    }

    @Test
    void keepsTruncationElapsedAndRecountsBytes() {
        QueryResult r = redactor(RedactionMode.MASK).redact(CUSTOMERS);

        assertThat(r.truncation()).isEqualTo(Truncation.ROW_LIMIT);
        assertThat(r.elapsed()).isEqualTo(Duration.ofMillis(12));
        long expected = r.rows().stream()
                .flatMap(List::stream)
                .filter(v -> v != null)
                .mapToLong(v -> v.getBytes(StandardCharsets.UTF_8).length)
                .sum();
        assertThat(r.byteCount()).isEqualTo(expected);
    }

    @Test
    void catchesAnAliasedColumnByItsValues() {
        // SELECT phone AS note, email AS contact FROM customers
        QueryResult aliased =
                table(List.of("note", "contact"), new String[] {"+1 415 555 2671", "ada@example.com"}, new String[] {
                    "(415) 555-2672", "bob@example.org"
                });

        QueryResult r = redactor(RedactionMode.MASK).redact(aliased);

        assertThat(column(r, "note")).containsExactly("[PHONE]", "[PHONE]");
        assertThat(column(r, "contact")).containsExactly("[EMAIL]", "[EMAIL]");
    }

    @Test
    void masksEachKindWithItsOwnMask() {
        QueryResult mixed = table(
                List.of("v"),
                new String[] {"x@y.org"},
                new String[] {"+33 1 23 45 67 89"},
                new String[] {"4111111111111111"},
                new String[] {"DE89 3704 0044 0532 0130 00"},
                new String[] {"123-45-6789"},
                new String[] {"10.1.2.3"},
                new String[] {"2001:db8::7"});

        assertThat(column(redactor(RedactionMode.MASK).redact(mixed), "v"))
                .containsExactly("[EMAIL]", "[PHONE]", "[CARD]", "[IBAN]", "[NATIONAL_ID]", "[IP]", "[IP]");
    }

    @Test
    void returnsTheSameResultWhenNothingIsPersonal() {
        QueryResult plain = table(
                List.of("order_id", "total", "created", "version"),
                new String[] {"100245", "1234.56", "2024-01-15 10:00:00+00", "1.2.3"},
                new String[] {"100246", "-17.00", "2024-01-16 11:30:00+00", "2.0.1"});

        for (RedactionMode mode : RedactionMode.values()) {
            assertThat(redactor(mode).redact(plain)).as(mode.name()).isSameAs(plain);
        }
    }

    @Test
    void offReturnsTheInputUnchanged() {
        PiiRedactor off = redactor(RedactionMode.OFF);

        assertThat(off.redact(CUSTOMERS)).isSameAs(CUSTOMERS);
        assertThat(off.redactText("mail ada@example.com")).isEqualTo("mail ada@example.com");
    }

    @Test
    void hashesStablySoEqualValuesStayEqual() {
        QueryResult orders = table(
                List.of("customer_email", "memo"),
                new String[] {"ada@example.com", "from ADA@example.com"},
                new String[] {"bob@example.org", "card 4111-1111-1111-1111"},
                new String[] {"ada@example.com", "card 4111 1111 1111 1111"});

        QueryResult r = redactor(RedactionMode.HASH).redact(orders);
        QueryResult again = redactor(RedactionMode.HASH).redact(orders);

        List<String> emails = column(r, "customer_email");
        assertThat(emails.get(0))
                .matches("pii:[0-9a-f]{8}")
                .isEqualTo(emails.get(2))
                .isNotEqualTo(emails.get(1));
        List<String> memos = column(r, "memo");
        assertThat(memos.get(0)).matches("from email:[0-9a-f]{8}");
        // the same card in two spellings hashes the same
        assertThat(memos.get(1)).matches("card card:[0-9a-f]{8}").isEqualTo(memos.get(2));
        assertThat(again).isEqualTo(r);
        assertThat(r.toString() + r.rows()).doesNotContain("example").doesNotContain("4111");
    }

    @Test
    void hashesDependOnTheSalt() {
        QueryResult one = table(List.of("v"), new String[] {"ada@example.com"});
        SafetyPolicy policy =
                SafetyPolicy.builder().redaction(RedactionMode.HASH).build();
        PiiRedactor a = PiiRedactor.builder()
                .policy(policy)
                .salt("first-secret-salt-123".getBytes())
                .build();
        PiiRedactor b = PiiRedactor.builder()
                .policy(policy)
                .salt("other-secret-salt-456".getBytes())
                .build();

        assertThat(column(a.redact(one), "v").get(0))
                .startsWith("email:")
                .isNotEqualTo(column(b.redact(one), "v").get(0))
                .isNotEqualTo(column(PiiRedactor.of(policy).redact(one), "v").get(0));
        assertThat(a.toString()).doesNotContain("first-secret");
    }

    @Test
    void dropsHintedColumnsAndColumnsWithAnyDetectedValue() {
        QueryResult r = redactor(RedactionMode.DROP_COLUMN).redact(CUSTOMERS);

        assertThat(r.columns()).extracting(ResultColumn::name).containsExactly("id", "name");
        assertThat(r.rows()).containsExactly(List.of("1", "Ada"), List.of("2", "Bob"), List.of("3", "Cy"));
        assertThat(r.truncation()).isEqualTo(Truncation.ROW_LIMIT);
        assertThat(r.byteCount()).isEqualTo(11);
    }

    @Test
    void dropsAHintedColumnEvenWhenItHasNoRows() {
        QueryResult empty = table(List.of("id", "phone_number"));

        QueryResult r = redactor(RedactionMode.DROP_COLUMN).redact(empty);

        assertThat(r.columns()).extracting(ResultColumn::name).containsExactly("id");
        assertThat(r.rowCount()).isZero();
    }

    @Test
    void appliesThePolicysExtraColumnHints() {
        QueryResult r = table(List.of("id", "patient_diagnosis"), new String[] {"1", "influenza"});

        assertThat(column(redactor(RedactionMode.MASK, "diagnosis").redact(r), "patient_diagnosis"))
                .containsExactly("[PII]");
        assertThat(redactor(RedactionMode.MASK).redact(r)).isSameAs(r);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "email",
                "e_mail",
                "customer_email",
                "EmailAddress",
                "contact_e_mail",
                "phone",
                "phone_number",
                "phonenumber",
                "mobile",
                "home_tel",
                "tel",
                "fax",
                "ssn",
                "social_security_number",
                "passport_no",
                "iban",
                "card_number",
                "credit_card",
                "ip_address",
                "IPAddress",
                "client_ip_addr",
                "dob",
                "birth_date",
                "dateOfBirth",
                "date_of_birth",
                "billing_address",
                "street",
                "postal_code",
                "national_id",
                "tax_id"
            })
    void treatsNamesThatHintPersonalDataAsPii(String name) {
        assertThat(redactor(RedactionMode.MASK).isPiiColumn(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "id",
                "hotel",
                "hotel_name",
                "intel",
                "status",
                "total",
                "created_at",
                "telemetry",
                "product_name",
                "company",
                "adobe_id",
                "description",
                "mailbox_count",
                "order_id",
                "panel",
                "ipsum",
                "dobby",
                // person names are left to the host (SafetyPolicy.piiColumnHints): answers need them
                "first_name",
                "lastName",
                "surname"
            })
    void doesNotTreatOrdinaryNamesAsPii(String name) {
        assertThat(redactor(RedactionMode.MASK).isPiiColumn(name)).isFalse();
    }

    @Test
    void redactsFreeTextSuchAsErrorMessages() {
        PiiRedactor mask = redactor(RedactionMode.MASK);

        assertThat(mask.redactText("duplicate key: Key (email)=(ada@example.com) already exists."))
                .isEqualTo("duplicate key: Key (email)=([PII]) already exists.");
        assertThat(mask.redactText("Key (customer_id, phone)=(42, 020 7946 0958) already exists."))
                .isEqualTo("Key (customer_id, phone)=([PII]) already exists.");
        assertThat(mask.redactText("Key (order_id)=(100245) already exists."))
                .isEqualTo("Key (order_id)=(100245) already exists.");
        assertThat(mask.redactText("login from 192.168.0.7 by ada@example.com"))
                .isEqualTo("login from [IP] by [EMAIL]");
    }

    @Test
    void hashesFreeTextInHashModeAndMasksItInDropColumnMode() {
        assertThat(redactor(RedactionMode.HASH).redactText("to ada@example.com"))
                .matches("to email:[0-9a-f]{8}");
        assertThat(redactor(RedactionMode.DROP_COLUMN).redactText("to ada@example.com"))
                .isEqualTo("to [EMAIL]");
    }

    @Test
    void usesTheModeOfThePolicy() {
        assertThat(PiiRedactor.of(SafetyPolicy.READ_ONLY).mode()).isEqualTo(RedactionMode.MASK);
        assertThat(PiiRedactor.builder().build().mode()).isEqualTo(RedactionMode.MASK);
        assertThat(redactor(RedactionMode.HASH).mode()).isEqualTo(RedactionMode.HASH);
    }

    @Test
    void rejectsAShortSaltAndNulls() {
        assertThatThrownBy(() -> PiiRedactor.builder().salt(new byte[4]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("salt must be >= 16 bytes but was 4 bytes");
        assertThatThrownBy(() -> PiiRedactor.builder().policy(null)).hasMessage("policy == null");
        assertThatThrownBy(() -> PiiRedactor.of(SafetyPolicy.READ_ONLY).redact(null))
                .hasMessage("result == null");
    }

    @Test
    void isSafeToShareBetweenThreads() throws Exception {
        PiiRedactor hash = redactor(RedactionMode.HASH);
        QueryResult expected = hash.redact(CUSTOMERS);
        List<Thread> threads = new ArrayList<>();
        List<QueryResult> results = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 50; i++) {
                    results.add(hash.redact(CUSTOMERS));
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(results).hasSize(400).allSatisfy(r -> assertThat(r).isEqualTo(expected));
    }
}
