package dev.pgagent.config.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgagent.config.internal.Node.MapNode;
import dev.pgagent.config.internal.Node.ScalarKind;
import dev.pgagent.config.internal.Node.ScalarNode;
import dev.pgagent.config.internal.Node.SeqNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class YamlReaderTest {
    private static YamlReader.Result read(String yaml) {
        return YamlReader.read(yaml.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void keepsLinesAndColumnsOfKeysAndValues() {
        YamlReader.Result r = read("agent:\n  maxSteps: 8\n  timeout: 30s\n");
        MapNode agent = (MapNode) ((MapNode) r.root()).fields().get("agent").value();
        Node.Field steps = agent.fields().get("maxSteps");
        assertThat(steps.line()).isEqualTo(2);
        assertThat(steps.column()).isEqualTo(3);
        ScalarNode value = (ScalarNode) steps.value();
        assertThat(value.line()).isEqualTo(2);
        assertThat(value.column()).isEqualTo(13);
        assertThat(value.scalarKind()).isEqualTo(ScalarKind.INT);
        assertThat(value.text()).isEqualTo("8");
        assertThat(r.issues()).isEmpty();
    }

    @Test
    void typesScalarsAndNormalisesNumbers() {
        MapNode m = (MapNode)
                read("a: 1_000\nb: '12'\nc: true\nd: ~\ne:\nf: 0.5\ng: 0x1F\n").root();
        assertThat(scalar(m, "a").text()).isEqualTo("1000");
        assertThat(scalar(m, "b").scalarKind()).isEqualTo(ScalarKind.STRING);
        assertThat(scalar(m, "c").scalarKind()).isEqualTo(ScalarKind.BOOL);
        assertThat(scalar(m, "d").scalarKind()).isEqualTo(ScalarKind.NULL);
        assertThat(scalar(m, "e").scalarKind()).isEqualTo(ScalarKind.NULL);
        assertThat(scalar(m, "f").scalarKind()).isEqualTo(ScalarKind.FLOAT);
        assertThat(scalar(m, "g").text()).isEqualTo("31");
    }

    private static ScalarNode scalar(MapNode m, String key) {
        return (ScalarNode) m.fields().get(key).value();
    }

    @Test
    void sharesAliasesAndAppliesMergeKeysWithOwnKeysWinning() {
        MapNode m = (MapNode) read("""
                base: &base
                  maxRows: 100
                  level: balanced
                one:
                  <<: *base
                  level: read-only
                list: [*base, *base]
                """).root();
        MapNode one = (MapNode) m.fields().get("one").value();
        assertThat(one.fields().keySet()).containsExactly("level", "maxRows");
        assertThat(((ScalarNode) one.fields().get("level").value()).text()).isEqualTo("read-only");
        SeqNode list = (SeqNode) m.fields().get("list").value();
        assertThat(list.items().get(0)).isSameAs(m.fields().get("base").value());
    }

    @Test
    void reportsDuplicateKeysAndUnknownAliases() {
        YamlReader.Result r = read("a: 1\nb: *nope\na: 2\n");
        assertThat(r.issues())
                .extracting(YamlReader.Issue::toString)
                .containsExactly(
                        "Issue[line=2, column=4, message=unknown alias *nope (an alias must follow its anchor &nope, and "
                                + "cannot refer to itself)]",
                        "Issue[line=3, column=1, message=duplicate key 'a' (first at line 1)]");
    }

    @Test
    @Timeout(5)
    void boundsBillionLaughs() {
        StringBuilder yaml = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i <= 9; i++) {
            yaml.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                yaml.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            yaml.append("]\n");
        }
        long before = usedMemory();
        YamlReader.Result r = read(yaml.toString());
        assertThat(r.root()).isNull();
        assertThat(r.issues()).singleElement().satisfies(i -> {
            assertThat(i.message())
                    .isEqualTo("the document expands to more than 100000 values through its "
                            + "aliases; a configuration file needs far fewer");
            assertThat(i.line()).isEqualTo(5);
        });
        assertThat(usedMemory() - before).isLessThan(64L << 20);
    }

    private static long usedMemory() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void boundsNestingDepth() {
        YamlReader.Result r = read("a: " + "[".repeat(40) + "]".repeat(40) + "\n");
        assertThat(r.root()).isNull();
        assertThat(r.issues())
                .singleElement()
                .satisfies(i -> assertThat(i.message()).isEqualTo("the file nests deeper than 32 levels"));
        YamlReader.Result deeper = read("a: " + "[".repeat(5_000) + "]".repeat(5_000) + "\n");
        assertThat(deeper.root()).isNull();
        assertThat(deeper.issues()).hasSize(1);
    }

    @Test
    void boundsSize() {
        byte[] big = new byte[YamlReader.MAX_BYTES + 1];
        java.util.Arrays.fill(big, (byte) '#');
        YamlReader.Result r = YamlReader.read(big);
        assertThat(r.root()).isNull();
        assertThat(r.issues())
                .singleElement()
                .satisfies(i -> assertThat(i.message())
                        .isEqualTo(
                                "the file holds 1048577 bytes; a configuration file may hold at most 1048576 (1 MiB)"));
    }

    @Test
    void refusesASecondDocument() {
        YamlReader.Result r = read("a: 1\n---\nb: 2\n");
        assertThat(r.issues()).singleElement().satisfies(i -> {
            assertThat(i.line()).isEqualTo(3);
            assertThat(i.message()).startsWith("a configuration file holds one YAML document");
        });
    }

    @Test
    void reportsSyntaxErrorsWithTheirPosition() {
        YamlReader.Result r = read("agent:\n  maxSteps: [1, 2\n  timeout: 3\n");
        assertThat(r.root()).isNull();
        assertThat(r.issues()).singleElement().satisfies(i -> {
            assertThat(i.message()).startsWith("YAML syntax error: ");
            assertThat(i.line()).isGreaterThanOrEqualTo(2);
        });
    }

    @Test
    void emptyDocumentHasNoRoot() {
        assertThat(read("# nothing\n").root()).isNull();
        assertThat(read("").issues()).isEmpty();
    }
}
