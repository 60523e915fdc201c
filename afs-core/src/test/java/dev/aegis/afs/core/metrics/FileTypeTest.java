package dev.aegis.afs.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FileTypeTest {

    @ParameterizedTest
    @CsvSource({
            "/teams/payments/prod/logs/api.log?since=1h&grep-i=oom, log",
            "/teams/payments/prod/logs/api.log, log",
            "/teams/payments/prod/metrics/http_requests.csv?window=1h, metric",
            "/teams/payments/prod/k8s/pods/api-1/logs/app.log?tail=5, pod_log",
            "/teams/payments/prod/k8s/pods/api-1.yaml, k8s_object",
            "/teams/payments/prod/k8s/events.log, k8s_object",
            "/teams/payments/prod/runbooks/oom.md, runbook",
            "/teams/payments/prod, other",
            "/evidence/2026-11-21/120000.000-ab12-payments.prod.logs.api.log, evidence",
            "/context/skills/triage.md, skill",
            "/.afs/errors, status",
            "/change_requests/inc-7.status, change_request",
            "/approvals/inc-7/approve, approval",
            "/ledger/ledger.jsonl, ledger",
            "/, other",
    })
    void namesTheKindOfFileNotTheTenant(String path, String label) {
        assertEquals(label, FileType.of(path).label());
    }
}
