package dev.pgagent.db.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlanReachTest {
    private static final Set<String> SSN = Set.of("ssn");

    @Test
    void findsQualifiedQuotedAndWholeRowReferences() {
        assertThat(PlanReach.reference(List.of("(p.id = 3)", "p.ssn"), "p", SSN, false))
                .isEqualTo("ssn");
        assertThat(PlanReach.reference(List.of("upper(\"P x\".\"SSN\")"), "P x", SSN, false))
                .isEqualTo("ssn");
        assertThat(PlanReach.reference(List.of("to_jsonb(p.*)"), "p", SSN, false))
                .isEqualTo("*");
        assertThat(PlanReach.reference(List.of("(ssn IS NOT NULL)"), "p", SSN, true))
                .isEqualTo("ssn");
    }

    @Test
    void ignoresLiteralsOtherAliasesCastsAndFunctions() {
        assertThat(PlanReach.reference(List.of("(p.name = 'p.ssn'::text)"), "p", SSN, true))
                .isNull();
        assertThat(PlanReach.reference(List.of("(q.ssn = p.id)"), "p", SSN, false))
                .isNull();
        assertThat(PlanReach.reference(List.of("('x'::ssn)", "ssn(p.id)"), "p", SSN, true))
                .isNull();
        assertThat(PlanReach.reference(List.of("(p.id = 1)", "(ssn IS NULL)"), "p", SSN, false))
                .isNull();
    }

    @Test
    void aQuoteInsideALiteralDoesNotHideWhatFollows() {
        String e = "((p.name = 'a\"b''c'::text) AND (p.ssn = '1'::text))";
        assertThat(PlanReach.reference(List.of(e), "p", SSN, false)).isEqualTo("ssn");
    }
}
