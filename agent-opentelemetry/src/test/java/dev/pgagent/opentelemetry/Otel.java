package dev.pgagent.opentelemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** An SDK over the in-memory span exporter and metric reader, with lookups for the tests. */
final class Otel implements AutoCloseable {
    final InMemorySpanExporter spans = InMemorySpanExporter.create();
    final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .setMeterProvider(
                    SdkMeterProvider.builder().registerMetricReader(metrics).build())
            .build();
    private Collection<MetricData> collected = List.of();

    List<SpanData> spans() {
        return spans.getFinishedSpanItems();
    }

    List<SpanData> spansNamed(String name) {
        return spans().stream().filter(s -> s.getName().equals(name)).toList();
    }

    SpanData span(String name) {
        List<SpanData> found = spansNamed(name);
        if (found.size() != 1) {
            throw new AssertionError("expected one span named '" + name + "' but found " + found.size() + " in "
                    + spans().stream().map(SpanData::getName).toList());
        }
        return found.get(0);
    }

    /** Collects the metrics once; the lookups below read that collection. */
    void collect() {
        collected = metrics.collectAllMetrics();
    }

    MetricData metric(String name) {
        return collected.stream()
                .filter(m -> m.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name + " in "
                        + collected.stream().map(MetricData::getName).toList()));
    }

    /** Returns the counter's value for the points whose attributes include {@code attrs}. */
    long count(String name, Map<AttributeKey<String>, String> attrs) {
        return metric(name).getLongSumData().getPoints().stream()
                .filter(p -> matches(p.getAttributes(), attrs))
                .mapToLong(LongPointData::getValue)
                .sum();
    }

    /** Returns the histogram's points whose attributes include {@code attrs}. */
    List<HistogramPointData> histogram(String name, Map<AttributeKey<String>, String> attrs) {
        MetricData m = metric(name);
        Collection<? extends HistogramPointData> points = m.getHistogramData().getPoints();
        return points.stream()
                .filter(p -> matches(p.getAttributes(), attrs))
                .map(p -> (HistogramPointData) p)
                .toList();
    }

    private static boolean matches(Attributes actual, Map<AttributeKey<String>, String> attrs) {
        return attrs.entrySet().stream().allMatch(e -> Objects.equals(actual.get(e.getKey()), e.getValue()));
    }

    @Override
    public void close() {
        sdk.close();
    }
}
