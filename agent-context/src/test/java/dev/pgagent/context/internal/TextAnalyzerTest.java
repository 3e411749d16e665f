package dev.pgagent.context.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextAnalyzerTest {
    @Test
    void splitsSnakeCaseCamelCaseAndDigits() {
        assertThat(TextAnalyzer.words("customer_id")).containsExactly("customer", "id");
        assertThat(TextAnalyzer.words("orderItemsV2")).containsExactly("order", "items", "v", "2");
        assertThat(TextAnalyzer.words("HTTPRequestLog")).containsExactly("http", "request", "log");
        assertThat(TextAnalyzer.words("Who's the 1st?")).containsExactly("who", "s", "the", "1", "st");
    }

    @Test
    void stemsPluralsAndVerbFormsToTheSameTerm() {
        assertThat(TextAnalyzer.stem("orders")).isEqualTo(TextAnalyzer.stem("order"));
        assertThat(TextAnalyzer.stem("categories")).isEqualTo(TextAnalyzer.stem("category"));
        assertThat(TextAnalyzer.stem("created")).isEqualTo(TextAnalyzer.stem("create"));
        assertThat(TextAnalyzer.stem("addresses")).isEqualTo(TextAnalyzer.stem("address"));
        assertThat(TextAnalyzer.stem("status")).isEqualTo("status");
        assertThat(TextAnalyzer.stem("billing")).isEqualTo(TextAnalyzer.stem("bill"));
    }

    @Test
    void expandsAbbreviationsAndDropsStopwords() {
        assertThat(TextAnalyzer.terms("qty")).containsExactly("quantity");
        assertThat(TextAnalyzer.terms("cust_addr")).containsExactly("customer", "address");
        assertThat(TextAnalyzer.terms("How many of the orders")).containsExactly("order");
    }

    @Test
    void knowsSynonymsBothWays() {
        assertThat(Thesaurus.synonyms(TextAnalyzer.stem("client"))).contains(TextAnalyzer.stem("customer"));
        assertThat(Thesaurus.synonyms(TextAnalyzer.stem("customer"))).contains(TextAnalyzer.stem("client"));
        assertThat(Thesaurus.synonyms("zzz")).isEmpty();
    }

    @Test
    void linksVerbsToTheThingsTheyImplyOneWayOnly() {
        assertThat(Thesaurus.related(TextAnalyzer.stem("buy"))).contains(TextAnalyzer.stem("product"));
        assertThat(Thesaurus.related(TextAnalyzer.stem("hired"))).contains(TextAnalyzer.stem("employee"));
        assertThat(Thesaurus.related(TextAnalyzer.stem("spending"))).contains(TextAnalyzer.stem("payment"));
        assertThat(Thesaurus.related(TextAnalyzer.stem("product"))).doesNotContain(TextAnalyzer.stem("buy"));
        assertThat(Thesaurus.related("zzz")).isEmpty();
    }

    @Test
    void linksKindsAndComparisonsToWhatASchemaCallsThemKeyedByPlainStems() {
        assertThat(Thesaurus.implied(TextAnalyzer.stem("dogs"))).contains(TextAnalyzer.stem("pet"));
        assertThat(Thesaurus.implied("cat")).contains(TextAnalyzer.stem("pet"));
        assertThat(Thesaurus.implied(TextAnalyzer.stem("category"))).isEmpty(); // "cat" is not read as category
        assertThat(Thesaurus.related(TextAnalyzer.stem("category"))).isEmpty();
        assertThat(Thesaurus.implied(TextAnalyzer.stem("lighter"))).contains(TextAnalyzer.stem("weight"));
        assertThat(Thesaurus.implied(TextAnalyzer.stem("European"))).contains(TextAnalyzer.stem("continent"));
        assertThat(Thesaurus.implied(TextAnalyzer.stem("won"))).contains(TextAnalyzer.stem("winner"));
    }
}
