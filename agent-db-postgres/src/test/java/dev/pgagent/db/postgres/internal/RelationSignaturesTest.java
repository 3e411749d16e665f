package dev.pgagent.db.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RelationSignaturesTest {
    private static RelationSignatures.Sig sig(String name, boolean partition, long parent, boolean inScope) {
        return new RelationSignatures.Sig("s", name, partition ? 'r' : 'p', -1, partition, parent, inScope, "0:0:0:0");
    }

    @Test
    void foldsPartitionsUnderTheirRootThroughParentsInScope() {
        Map<Long, RelationSignatures.Sig> rels = Map.of(
                1L, sig("root", false, 0, true),
                2L, sig("mid", true, 1, true),
                3L, sig("leaf", true, 2, true),
                4L, sig("plain", false, 0, true));
        assertThat(RelationSignatures.roots(rels))
                .containsExactlyInAnyOrderEntriesOf(Map.of(1L, 1L, 2L, 1L, 3L, 1L, 4L, 4L));
    }

    @Test
    void leavesOutRelationsOutOfScopeAndPartitionsWhoseChainLeavesTheScope() {
        Map<Long, RelationSignatures.Sig> rels = Map.of(
                1L, sig("hidden_root", false, 0, false),
                2L, sig("visible_part", true, 1, true),
                3L, sig("orphan", true, 99, true));
        assertThat(RelationSignatures.roots(rels)).isEmpty();
    }

    @Test
    void signaturesDifferWhenWhatTheModelShowsDiffers() {
        RelationSignatures.Sig a = sig("t", false, 0, true);
        assertThat(a).isEqualTo(sig("t", false, 0, true));
        assertThat(a).isNotEqualTo(sig("u", false, 0, true));
        assertThat(a).isNotEqualTo(new RelationSignatures.Sig("s", "t", 'p', 10, false, 0, true, "0:0:0:0"));
        assertThat(a).isNotEqualTo(new RelationSignatures.Sig("s", "t", 'p', -1, false, 0, true, "1:0:0:0"));
    }
}
