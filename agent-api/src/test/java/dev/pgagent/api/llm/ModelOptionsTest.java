package dev.pgagent.api.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelOptionsTest {
    private final ModelOptions full = ModelOptions.builder()
            .model("gpt-4o-mini")
            .temperature(0.2)
            .topP(0.9)
            .maxTokens(512)
            .seed(7L)
            .parallelToolCalls(false)
            .toolChoice(ToolChoice.REQUIRED)
            .stop(List.of("END"))
            .reasoningEffort(ReasoningEffort.LOW)
            .build();

    @Test
    void defaultsAreAllUnset() {
        ModelOptions d = ModelOptions.DEFAULTS;
        assertThat(d.model()).isEmpty();
        assertThat(d.temperature()).isEmpty();
        assertThat(d.topP()).isEmpty();
        assertThat(d.maxTokens()).isEmpty();
        assertThat(d.seed()).isEmpty();
        assertThat(d.parallelToolCalls()).isEmpty();
        assertThat(d.toolChoice()).isEmpty();
        assertThat(d.stop()).isEmpty();
        assertThat(d.reasoningEffort()).isEmpty();
        assertThat(d.toString()).doesNotContain("reasoningEffort");
    }

    @Test
    void keepsEveryValueAndRoundTripsThroughToBuilder() {
        assertThat(full.model()).hasValue("gpt-4o-mini");
        assertThat(full.temperature()).hasValue(0.2);
        assertThat(full.topP()).hasValue(0.9);
        assertThat(full.maxTokens()).hasValue(512);
        assertThat(full.seed()).hasValue(7L);
        assertThat(full.parallelToolCalls()).hasValue(false);
        assertThat(full.toolChoice()).hasValue(ToolChoice.REQUIRED);
        assertThat(full.stop()).containsExactly("END");
        assertThat(full.reasoningEffort()).hasValue(ReasoningEffort.LOW);
        assertThat(full.toBuilder().build()).isEqualTo(full).hasSameHashCodeAs(full);
        assertThat(full.toBuilder().seed(8L).build()).isNotEqualTo(full);
        assertThat(full.toString()).contains("model=gpt-4o-mini", "toolChoice=REQUIRED", "reasoningEffort=LOW");
    }

    @Test
    void mergeLetsOverridesWinFieldByField() {
        ModelOptions overrides =
                ModelOptions.builder().temperature(1.0).stop(List.of("STOP")).build();
        ModelOptions merged = ModelOptions.merge(full, overrides);
        assertThat(merged.temperature()).hasValue(1.0);
        assertThat(merged.stop()).containsExactly("STOP");
        assertThat(merged.model()).hasValue("gpt-4o-mini");
        assertThat(merged.maxTokens()).hasValue(512);
        assertThat(ModelOptions.merge(full, ModelOptions.DEFAULTS)).isEqualTo(full);
        assertThat(ModelOptions.merge(full, full)).isEqualTo(full);
        assertThat(ModelOptions.merge(ModelOptions.DEFAULTS, overrides)).isSameAs(overrides);
        assertThatThrownBy(() -> ModelOptions.merge(null, full)).hasMessage("defaults == null");
        assertThatThrownBy(() -> ModelOptions.merge(full, null)).hasMessage("overrides == null");
    }

    @Test
    void rejectsValuesOutOfRange() {
        ModelOptions.Builder b = ModelOptions.builder();
        assertThatThrownBy(() -> b.model(" ")).hasMessage("model must not be blank but was ' '");
        assertThatThrownBy(() -> b.temperature(2.5)).hasMessage("temperature must be in [0, 2] but was 2.5");
        assertThatThrownBy(() -> b.temperature(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.topP(0.0)).hasMessage("topP must be in (0, 1] but was 0.0");
        assertThatThrownBy(() -> b.maxTokens(0)).hasMessage("maxTokens must be >= 1 but was 0");
        assertThatThrownBy(() -> b.stop(null)).hasMessage("stop == null");
        assertThat(b.model(null).temperature(null).topP(null).maxTokens(null).build())
                .isEqualTo(ModelOptions.DEFAULTS);
    }
}
