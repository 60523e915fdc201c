package dev.aegis.afs.cli.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.harness.HarnessDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness subcommands against an in-process harness: output and exit codes. */
class HarnessCommandsTest {

    @TempDir
    Path dir;
    HarnessDaemon daemon;
    String out;
    String err;

    @BeforeEach
    void start() throws Exception {
        daemon = CliHarness.start(dir);
    }

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.stop();
        }
    }

    private int run(Object command, String... args) {
        dev.aegis.afs.cli.CliRun r = dev.aegis.afs.cli.CliRun.of(command, args);
        out = r.out();
        err = r.err();
        return r.exit();
    }

    private String[] withUrl(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--harness-url");
        all.add(daemon.url());
        all.add("--harness-token-file");
        all.add(daemon.tokenFile().toString());
        return all.toArray(String[]::new);
    }

    private Path plan(String tool) throws Exception {
        Path p = dir.resolve("plan.yaml");
        Files.writeString(p, """
                incident_id: INC-9
                team: payments
                env: prod
                hypothesis: api is overloaded
                confidence: 0.9
                evidence:
                  - {path: /evidence/2026-11-18/120000.000-abcdefabcdef-api.log, sha256: %s, lines: "1-2"}
                actions:
                  - {tool: %s, target: {kind: Deployment, name: api}, idempotency_key: inc9-1}
                """.formatted("ab".repeat(32), tool));
        return p;
    }

    @Test
    void rejectedSubmissionExitsOneAndStatusListAndLedgerShowIt() throws Exception {
        assertEquals(1, run(new PlanCommand(), withUrl("submit", plan("restart").toString())));
        assertTrue(out.contains("  REJECTED  (execute mode)"), out);
        assertTrue(out.contains("- evidence: evidence[0] (/evidence/2026-11-18/120000.000-abcdefabcdef-api.log): no such snapshot"), out);
        assertTrue(out.contains("- policy: actions[0].tool: restart is not allowed for payments/prod (allowed: [scale])"), out);
        String id = out.substring(0, out.indexOf(' '));

        assertEquals(1, run(new PlanCommand(), withUrl("status", id)));
        assertTrue(out.startsWith(id + "  REJECTED"), out);
        assertEquals(0, run(new PlanCommand(), withUrl("list")));
        assertTrue(out.startsWith(id + "\tREJECTED\tpayments/prod\tINC-9\t"), out);
        assertEquals(2, run(new ApproveCommand(), withUrl(id)));
        assertTrue(err.contains("is REJECTED, not PENDING_APPROVAL"), err);
        assertEquals(0, run(new LedgerCommand(), withUrl("show")));
        assertTrue(out.contains("\t" + id + "\tsubmit\t"), out);
        assertTrue(out.contains("\"from\":\"VALIDATING\",\"to\":\"REJECTED\""), out);
    }

    @Test
    void reviewPrintsTheIncidentsChainAndRefusesAMalformedId() throws Exception {
        assertEquals(1, run(new PlanCommand(), withUrl("submit", plan("restart").toString())));
        String id = out.substring(0, out.indexOf(' '));
        assertEquals(0, run(new ReviewCommand(), withUrl("INC-9")));
        assertTrue(out.startsWith("# Review of INC-9\n\n0 reads (0 cited by a plan, 0 never cited), 0 bytes served; 1 change request(s)"), out);
        assertTrue(out.contains("- " + id + " (REJECTED): no action ran; verify not reached"), out);
        assertEquals(0, run(new ReviewCommand(), withUrl("INC-9", "--json")));
        assertTrue(out.contains("\"state\" : \"REJECTED\""), out);
        assertEquals(2, run(new ReviewCommand(), withUrl("INC 9")));
        assertTrue(err.contains("afs review: EINVAL: INCIDENT 'INC 9' is not an incident id"), err);
        assertEquals(0, run(new ReviewCommand(), "--help"));
        assertTrue(out.contains("Reads no plan cited (redundant)"), out);
    }

    @Test
    void malformedDocumentIsAUsageErrorNamingTheField() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "incident_id: INC-1\nteam: payments\nenv: prod\nhypothesis: h\nconfidence: 2\n"
                + "evidence: []\nactions: [{tool: scale}]\n");
        assertEquals(2, run(new PlanCommand(), withUrl("submit", bad.toString())));
        assertTrue(err.contains("confidence: '2' is not a number from 0 to 1"), err);
        assertTrue(err.contains("actions[0].target: missing"), err);
    }

    @Test
    void unreachableHarnessExitsThree() throws Exception {
        assertEquals(3, run(new PlanCommand(), "submit", plan("scale").toString(), "--harness-url", "http://127.0.0.1:1"));
        assertTrue(err.contains("is unreachable"), err);
        assertEquals(3, run(new RejectCommand(), "cr-1", "--reason", "no", "--harness-url", "http://127.0.0.1:1"));
    }

    @Test
    void ledgerVerifyPassesThenNamesTheTamperedEntry() throws Exception {
        run(new PlanCommand(), withUrl("submit", plan("restart").toString()));
        daemon.stop();
        daemon = null;
        Path ledger = dir.resolve("data/ledger.jsonl");
        String key = dev.aegis.afs.harness.Harness.ledgerPublicKey(dir.resolve("data"));
        assertEquals(0, run(new LedgerCommand(), "verify", "--ledger", ledger.toString(), "--public-key", key));
        assertTrue(out.contains("intact, 3 entries"), out);
        // the key is pinned, never taken from beside the ledger
        assertEquals(2, run(new LedgerCommand(), "verify", "--ledger", ledger.toString()));
        assertTrue(err.contains("pin the ledger key"), err);
        Files.writeString(dir.resolve("harness.yaml"), Files.readString(dir.resolve("harness.yaml"))
                + "ledger: {public_key: " + key + "}\n");
        assertEquals(0, run(new LedgerCommand(), "verify", "--config", dir.resolve("harness.yaml").toString()));
        // an emptied ledger with its checkpoint deleted is not intact
        Path copy = dir.resolve("copy.jsonl");
        Files.writeString(copy, "");
        assertEquals(1, run(new LedgerCommand(), "verify", "--ledger", copy.toString(), "--public-key", key));
        assertTrue(out.contains("is missing"), out);

        List<String> lines = new ArrayList<>(Files.readAllLines(ledger));
        lines.set(1, lines.get(1).replace("VALIDATING", "APPROVED"));
        Files.write(ledger, lines);
        assertEquals(1, run(new LedgerCommand(), "verify", "--ledger", ledger.toString(), "--public-key", key));
        assertTrue(out.contains("NOT intact: first bad entry 2: entry 2 was changed"), out);
    }

    @Test
    void helpAndUsage() {
        assertEquals(0, run(new PlanCommand(), "--help"));
        assertTrue(out.contains("submit"), out);
        assertEquals(2, run(new RejectCommand(), "cr-1"));
        assertTrue(err.contains("--reason"), err);
        assertEquals(2, run(new LedgerCommand(), "verify"));
        assertTrue(err.contains("say which ledger: --ledger PATH or --config harness.yaml"), err);
    }
}
