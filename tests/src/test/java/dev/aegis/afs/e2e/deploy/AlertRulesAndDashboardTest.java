package dev.aegis.afs.e2e.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.metrics.MountMetrics;
import dev.aegis.afs.e2e.Shell;
import dev.aegis.afs.harness.HarnessMetrics;
import dev.aegis.afs.harness.State;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules and the Grafana dashboard under deploy/: promtool accepts the rules and their
 * unit tests pass, every dashboard query is valid PromQL, and every metric they name is one the
 * mount daemon or the harness actually exports (a renamed metric would leave a silent panel or
 * an alert that can never fire).
 */
class AlertRulesAndDashboardTest {

    private static final Path REPO = Path.of(System.getProperty("afs.repo", "..")).toAbsolutePath().normalize();
    private static final Path RULES = REPO.resolve("deploy/prometheus/afs-alerts.yml");
    private static final Path DASHBOARD = REPO.resolve("deploy/grafana/afs-dashboard.json");
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    @TempDir
    Path tmp;

    private static void assumePromtool() {
        assumeTrue(Files.isExecutable(PROMTOOL), "promtool is not installed; bin/setup installs it (package prometheus)");
    }

    @Test
    void promtoolAcceptsTheRulesAndTheirUnitTestsPass() throws Exception {
        assumePromtool();
        Shell.Result check = Shell.run(REPO, List.of(PROMTOOL.toString(), "check", "rules", RULES.toString()));
        assertEquals(0, check.exit(), check.toString());
        assertTrue(check.out().contains("SUCCESS: 11 rules found"), check.toString());
        Shell.Result test = Shell.run(RULES.getParent(), List.of(PROMTOOL.toString(), "test", "rules", "afs-alerts.test.yml"));
        assertEquals(0, test.exit(), test.toString());
    }

    @Test
    void everyDashboardQueryIsValidPromQl() throws Exception {
        assumePromtool();
        List<String> exprs = dashboardExpressions();
        assertTrue(exprs.size() >= 15, exprs.toString());
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (int i = 0; i < exprs.size(); i++) {
            String expr = exprs.get(i).replace("$__rate_interval", "5m").replace("$instance", ".*");
            rules.append("      - record: dashboard:panel").append(i).append("\n        expr: ")
                    .append(new ObjectMapper().writeValueAsString(expr)).append('\n');
        }
        Path file = tmp.resolve("dashboard-rules.yml");
        Files.writeString(file, rules);
        Shell.Result check = Shell.run(tmp, List.of(PROMTOOL.toString(), "check", "rules", file.toString()));
        assertEquals(0, check.exit(), check + "\n" + rules);
    }

    @Test
    void everyMetricNamedIsOneTheDaemonsExport() throws Exception {
        Set<String> exported = exportedSeries();
        Set<String> named = new TreeSet<>();
        Matcher m = Pattern.compile("\\bafs_[a-z_]+").matcher(Files.readString(RULES) + String.join("\n", dashboardExpressions()));
        while (m.find()) {
            named.add(m.group());
        }
        assertTrue(named.size() >= 10, named.toString());
        Set<String> unknown = new TreeSet<>(named);
        unknown.removeAll(exported);
        assertEquals(Set.of(), unknown, "exported: " + exported);
    }

    private static List<String> dashboardExpressions() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> exprs = new ArrayList<>();
        dashboard.get("panels").forEach(p -> {
            if (p.has("targets")) {
                p.get("targets").forEach(t -> exprs.add(t.get("expr").asText()));
            }
        });
        return exprs;
    }

    /** Every series name the two daemons write once each of their metrics has been used. */
    private static Set<String> exportedSeries() throws Exception {
        MountMetrics mount = new MountMetrics();
        mount.read("/teams/t/e/logs/a.log", null);
        mount.fuseError("open", AfsError.NO_SPACE);
        mount.backendRequest("b", Duration.ofMillis(3), null);
        mount.backendBytes("b", 10);
        mount.cacheHit(true);
        mount.snapshot(10);
        mount.redacted(Map.of("EMAIL", 1L));
        mount.quotaRefusal("q");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false).write(out, mount.registry().scrape());
        HarnessMetrics harness = new HarnessMetrics();
        harness.request("submit", 200);
        harness.transition(State.PENDING_APPROVAL, State.APPROVED);
        harness.gateFailure("evidence");
        harness.approvalWait(Duration.ofMinutes(3));
        String text = out.toString(StandardCharsets.UTF_8) + new String(harness.scrape(), StandardCharsets.UTF_8);
        Set<String> names = new TreeSet<>();
        text.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).forEach(l -> names.add(l.split("[{ ]", 2)[0]));
        return names;
    }
}
