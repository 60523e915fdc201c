package dev.aegis.afs.query.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.LogQueryCompiler;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.k8s.ObjectSelector;
import dev.aegis.afs.query.k8s.PodLogCompiler;
import dev.aegis.afs.query.k8s.PodLogTarget;
import dev.aegis.afs.query.k8s.SelectorTerms;
import dev.aegis.afs.query.k8s.TermSplit;
import dev.aegis.afs.query.path.PathQuery;
import dev.aegis.afs.query.path.PathQueryParser;
import dev.aegis.afs.query.promql.LabelMatcher;
import dev.aegis.afs.query.promql.MetricQuery;
import dev.aegis.afs.query.promql.MetricQueryCompiler;
import dev.aegis.afs.query.promql.PromQlEmitter;
import dev.aegis.afs.query.promql.SeriesDefinition;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * The query terms of metrics files ({@code requests.prom?window=1h&fn=rate(5m)&by=code&match=...})
 * and of Kubernetes paths ({@code pods?label=app=x&phase=Failed}, pod log terms) on arbitrary
 * text: only {@link QuerySyntaxException} escapes, with a bounded message, and an accepted query
 * compiles to PromQL / a selector / a pod log request without failing.
 *
 * <p>Regression mode (every {@code mvn test}) replays {@code MetricAndK8sTermsFuzzTestInputs/};
 * {@code mvn verify} fuzzes each target for its maxDuration with a fixed seed (see the pom).
 */
class MetricAndK8sTermsFuzzTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);
    private static final SeriesDefinition SERIES = new SeriesDefinition.Selector("http_requests_total",
            List.of(LabelMatcher.parse("job=api")));

    @FuzzTest(maxDuration = "10s")
    void metricTerms(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        try {
            PathQuery parsed = PathQueryParser.parse(text);
            MetricQuery query = new MetricQueryCompiler(CLOCK).compile(parsed);
            new PromQlEmitter(SERIES, 11_000).emit(query).query().text();
            new PromQlEmitter(new SeriesDefinition.Expression("sum(rate(x[5m]))"), 10).emit(query);
        } catch (QuerySyntaxException e) {
            FuzzInvariants.assertBoundedMessage(text, e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void kubernetesTerms(FuzzedDataProvider data) {
        boolean previous = data.consumeBoolean();
        String text = data.consumeRemainingAsString();
        try {
            PathQuery parsed = PathQueryParser.parse(text);
            SelectorTerms terms = new SelectorTerms(Map.of("phase", "status.phase", "node", "spec.nodeName"));
            TermSplit split = TermSplit.of(parsed, terms.keys());
            ObjectSelector selector = terms.compile(split.selected());
            selector.query();
            selector.matches(Map.of("app", "api"), field -> "Running");
            LogQuery plan = LogQueryCompiler.compile(split.rest(), CLOCK);
            new PodLogCompiler(new PodLogTarget("payments", "api-0", "app", previous), previous).compile(plan)
                    .query().text();
        } catch (QuerySyntaxException e) {
            FuzzInvariants.assertBoundedMessage(text, e);
        }
    }
}
