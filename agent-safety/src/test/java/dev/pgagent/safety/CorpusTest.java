package dev.pgagent.safety;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.api.safety.Decision;
import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.safety.Verdict;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CorpusTest {
    private static final Map<SafetyPolicy, JSqlParserSafetyValidator> VALIDATORS = new ConcurrentHashMap<>();

    static Stream<Corpus.Case> cases() {
        return Corpus.load().stream();
    }

    static JSqlParserSafetyValidator validator(SafetyPolicy p) {
        return VALIDATORS.computeIfAbsent(p, JSqlParserSafetyValidator::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void corpusCaseGetsItsLabelledVerdict(Corpus.Case c) {
        Verdict v = validator(c.policy()).validate(c.sql());
        assertThat(v.decision())
                .as("decision for %s; reason: %s", c, v.reason())
                .isEqualTo(c.decision());
        if (c.confirmation() != null) {
            assertThat(v.confirmation())
                    .as("confirmation for %s; reason: %s", c, v.reason())
                    .isEqualTo(c.confirmation());
        }
        if (c.kind() != null) {
            assertThat(v.kind()).as("kind for %s; reason: %s", c, v.reason()).isEqualTo(c.kind());
        }
        assertThat(v.reason()).isNotBlank();
    }

    @Test
    void corpusIsLargeAndCoversEveryLevelAndDecision() {
        Map<String, Integer> byCategory = new TreeMap<>();
        Map<String, Integer> byProfile = new TreeMap<>();
        Map<Decision, Integer> byDecision = new TreeMap<>();
        for (Corpus.Case c : Corpus.load()) {
            byCategory.merge(c.category(), 1, Integer::sum);
            byProfile.merge(c.profile(), 1, Integer::sum);
            byDecision.merge(c.decision(), 1, Integer::sum);
        }
        System.out.println("corpus cases by category: " + byCategory);
        System.out.println("corpus cases by profile: " + byProfile);
        System.out.println("corpus cases by decision: " + byDecision);
        int total = byCategory.values().stream().mapToInt(Integer::intValue).sum();
        System.out.println("corpus cases total: " + total);
        assertThat(total).isGreaterThan(500);
        assertThat(byProfile).containsKeys("READ_ONLY", "BALANCED", "PERMISSIVE", "HOST", "GUARDED", "OPTIN");
        assertThat(byDecision).containsKeys(Decision.ALLOW, Decision.CONFIRM, Decision.DENY);
    }
}
