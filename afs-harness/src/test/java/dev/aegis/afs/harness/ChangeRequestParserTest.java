package dev.aegis.afs.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.config.ConfigException;
import dev.aegis.afs.core.config.ConfigReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChangeRequestParserTest {

    private static final String SHA = "ab".repeat(32);
    private static final String GOOD = """
            incident_id: INC-7
            team: payments
            env: prod
            hypothesis: api OOMs
            confidence: 0.8
            evidence:
              - {path: /mnt/afs/evidence/2026-11-18/115900.000-abababababab-api.log, sha256: %s, lines: "10-20", captured_at: 2026-11-18T11:59:00Z}
            actions:
              - tool: %s
                target: {kind: deployment, name: api}
                params: %s
                idempotency_key: inc-7-1
            verify:
              - {pods_ready: {kind: Deployment, name: api}, timeout: 30s}
            """;

    private static ChangeRequest parse(String text) throws PlanProblems {
        return ChangeRequestParser.parse("cr.yaml", text.getBytes(StandardCharsets.UTF_8));
    }

    private static String good(String tool, String params) {
        return GOOD.formatted(SHA, tool, params);
    }

    @Test
    void validDocument() throws Exception {
        ChangeRequest cr = parse(good("scale", "{replicas: 4}"));
        assertEquals("INC-7", cr.incidentId());
        assertEquals(0.8, cr.confidence());
        assertEquals("2026-11-18/115900.000-abababababab-api.log", cr.evidence().get(0).id());
        assertEquals(10, cr.evidence().get(0).firstLine());
        assertEquals(20, cr.evidence().get(0).lastLine());
        assertEquals("Deployment", cr.actions().get(0).target().kind());
        assertEquals(4L, cr.actions().get(0).params().get("replicas"));
        assertEquals(30, cr.verify().get(0).timeout().toSeconds());
        assertEquals(ChangeRequest.Rollback.BEFORE_STATE, cr.rollback());
    }

    @Test
    void evidenceIsCitedByTreePathOrByAnyHostMountPath() throws Exception {
        String id = "2026-11-18/115900.000-abababababab-api.log";
        for (String path : java.util.List.of("/evidence/" + id, "/mnt/afs/evidence/" + id,
                "/srv/evidence/mounts/afs/evidence/" + id)) {
            String doc = good("scale", "{replicas: 4}").replace("/mnt/afs/evidence/" + id, path);
            assertEquals(id, parse(doc).evidence().get(0).id(), path);
        }
    }

    @Test
    void jsonIsAcceptedToo() throws Exception {
        String json = "{\"incident_id\":\"INC-1\",\"team\":\"p\",\"env\":\"prod\",\"hypothesis\":\"h\",\"confidence\":1,"
                + "\"evidence\":[{\"path\":\"/evidence/2026-11-18/x\",\"sha256\":\"" + SHA + "\",\"lines\":\"1\"}],"
                + "\"actions\":[{\"tool\":\"delete_pod\",\"target\":{\"kind\":\"Pod\",\"name\":\"api-1\"},\"idempotency_key\":\"k\"}]}";
        assertEquals(ChangeRequest.Tool.DELETE_POD, parse(json).actions().get(0).tool());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "scale|{replicas: many}|cr.yaml:11:24: actions[0].params.replicas: 'many' is not a whole number from 0 to 1000",
            "scale|{}|actions[0].params.replicas: missing; add params: {replicas: N}",
            "scale|{replicas: 3, speed: 2}|actions[0].params.speed: unknown field; allowed here: replicas",
            "resize|{}|actions[0].tool: unknown tool 'resize'; use one of scale, restart, set_resources, undo, delete_pod",
            "delete_pod|{}|actions[0].target.kind: delete_pod cannot act on a Deployment; use kind Pod",
            "set_resources|{limits: {memory: 1Gi}}|actions[0].target.container: missing; set_resources needs the container name",
            "restart|{force: true}|actions[0].params.force: unknown field; this takes no fields, remove it",
    })
    void actionProblemsNameTheFieldAndTheFix(String tool, String params, String expected) {
        PlanProblems e = assertThrows(PlanProblems.class, () -> parse(good(tool, params)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void topLevelProblemsAreAllReported() {
        String doc = """
                incident_id: INC-1
                team: payments
                confidence: 1.5
                evidence:
                  - {path: /tmp/x.log, sha256: nothex, lines: "20-10"}
                actions: []
                colour: blue
                """;
        PlanProblems e = assertThrows(PlanProblems.class, () -> parse(doc));
        List<String> p = e.problems();
        assertTrue(p.contains("cr.yaml:7:9: colour: unknown field; allowed here: actions, confidence, env, evidence, hypothesis, "
                + "incident_id, rollback, team, verify"), p.toString());
        assertTrue(p.contains("cr.yaml:1:1: env: missing; add env: the env name from namespaces.yaml"), p.toString());
        assertTrue(p.contains("cr.yaml:3:13: confidence: '1.5' is not a number from 0 to 1; write e.g. 0.8"), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.contains("evidence[0].path: '/tmp/x.log' is not an evidence path")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.contains("evidence[0].sha256: 'nothex' is not a sha256")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.contains("evidence[0].lines: '20-10' is not a line range")), p.toString());
        assertTrue(p.contains("cr.yaml:6:10: actions: empty; give at least one entry"), p.toString());
    }

    @Test
    void sizeAndNestingAreCapped() {
        byte[] big = new byte[ChangeRequestParser.MAX_BYTES + 1];
        PlanProblems size = assertThrows(PlanProblems.class, () -> ChangeRequestParser.parse("cr.yaml", big));
        assertTrue(size.getMessage().contains("is larger than the limit of 262144 bytes"));
        String deep = good("scale", "{replicas: 4}") + "rollback: " + "[".repeat(12) + "]".repeat(12) + "\n";
        PlanProblems nest = assertThrows(PlanProblems.class, () -> parse(deep));
        assertTrue(nest.getMessage().contains("nested deeper than 8 levels"), nest.getMessage());
    }

    @Test
    void duplicateIdempotencyKeysInOneRequest() {
        String doc = good("scale", "{replicas: 4}") .replace("verify:", """
                  - {tool: restart, target: {kind: Deployment, name: api}, idempotency_key: inc-7-1}
                verify:""");
        PlanProblems e = assertThrows(PlanProblems.class, () -> parse(doc));
        assertTrue(e.getMessage().contains("actions[1].idempotency_key: 'inc-7-1' is used twice in this request"), e.getMessage());
    }

    @Test
    void harnessConfigIsValidatedWithPositions() {
        ConfigException unknown = assertThrows(ConfigException.class, () -> HarnessConfig.parse(
                ConfigReader.parse("harness.yaml", "data_dir: d\nnamespaces: n.yaml\nlisten_on: x\n"), Path.of("/etc/afs")));
        assertTrue(unknown.getMessage().startsWith("harness.yaml:3:12: unknown key 'listen_on'"), unknown.getMessage());
        ConfigException remote = assertThrows(ConfigException.class, () -> HarnessConfig.parse(
                ConfigReader.parse("harness.yaml", "listen: 8.8.8.8:7780\ndata_dir: d\nnamespaces: n.yaml\n"), Path.of("/etc/afs")));
        assertTrue(remote.getMessage().contains("is not a loopback address"), remote.getMessage());
        HarnessConfig ok = HarnessConfig.parse(ConfigReader.parse("harness.yaml",
                "listen: 127.0.0.1:0\ndata_dir: d\nnamespaces: n.yaml\npolicy: {confidence_threshold: 0.5, freeze: true}\n"),
                Path.of("/etc/afs"));
        assertEquals(Path.of("/etc/afs/d"), ok.dataDir());
        assertEquals(0.5, ok.policy().confidenceThreshold());
        assertTrue(ok.policy().freeze());
    }

    @Test
    void changesSectionIsValidated() {
        ConfigException e = assertThrows(ConfigException.class, () -> ChangePolicies.parse(ConfigReader.parse("namespaces.yaml",
                "teams:\n  p:\n    prod:\n      changes: {mode: execute, allow: [scale, reboot]}\n"), Path.of("/")));
        assertTrue(e.getMessage().contains("unknown tool 'reboot'; allow any of scale, restart"), e.getMessage());
        ConfigException g = assertThrows(ConfigException.class, () -> ChangePolicies.parse(ConfigReader.parse("namespaces.yaml",
                "teams:\n  p:\n    prod:\n      changes: {guardrails: {extra: {x: \"action.replicas +\"}}}\n"), Path.of("/")));
        assertTrue(g.getMessage().contains("guardrail 'x' is not a valid CEL boolean expression"), g.getMessage());
        ChangePolicy deflt = ChangePolicies.parse(ConfigReader.parse("namespaces.yaml", "teams: {p: {prod: {}}}\n"), Path.of("/"))
                .policy("p", "prod");
        assertEquals(ChangePolicy.Mode.SHADOW, deflt.mode());
        assertTrue(deflt.allow().isEmpty());
    }
}
