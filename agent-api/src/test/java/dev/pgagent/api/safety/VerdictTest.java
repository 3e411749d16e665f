package dev.pgagent.api.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VerdictTest {

    @Test
    void confirmationKindMustMatchDecision() {
        assertThatThrownBy(
                        () -> new Verdict(Decision.ALLOW, StatementKind.READ, "r", Set.of(), ConfirmationKind.SIMPLE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () -> new Verdict(Decision.CONFIRM, StatementKind.WRITE, "r", Set.of(), ConfirmationKind.NONE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tablesAreSortedAndImmutable() {
        Verdict v = Verdict.allow(StatementKind.READ, "a read", Set.of("orders", "customers"));
        assertThat(v.tableList()).containsExactly("customers", "orders");
        assertThatThrownBy(() -> v.tables().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void pendingConfirmationSurvivesSerialization() throws Exception {
        Verdict v = Verdict.confirm(StatementKind.WRITE, "an update", Set.of("orders"), ConfirmationKind.TYPED);
        ConfirmationRequest request = new ConfirmationRequest(
                "req-1",
                "session-1",
                "UPDATE orders SET x = 1 WHERE id = 2",
                v,
                new DryRun(1, null, null),
                Instant.parse("2026-01-01T00:00:00Z"));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(request);
        }
        Object back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = in.readObject();
        }

        assertThat(back).isEqualTo(request);
        assertThat(request.expectedTypedText()).isEqualTo("orders");
    }
}
