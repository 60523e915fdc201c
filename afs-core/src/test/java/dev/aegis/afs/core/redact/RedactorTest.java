package dev.aegis.afs.core.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RedactorTest {

    private final Redactor redactor = Redactor.withBuiltins(List.of(), Optional.empty());

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "login ok user=ana.lopez@example.com from 10.0.3.7 | login ok user=[REDACTED_EMAIL] from [REDACTED_IPV4]",
        "peer 2001:db8::8a2e:370:7334 closed | peer [REDACTED_IPV6] closed",
        "Authorization: Bearer abcDEF123456.xyz | Authorization: [REDACTED_BEARER_TOKEN]",
        "token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlX2hlcmU ok | token=[REDACTED_JWT] ok",
        "key AKIAIOSFODNN7EXAMPLE used | key [REDACTED_AWS_ACCESS_KEY] used",
        "card 4111 1111 1111 1111 charged | card [REDACTED_CARD_NUMBER] charged",
        "order 4111 1111 1111 1112 is not a card | order 4111 1111 1111 1112 is not a card",
        "2026-11-21T21:38:00.123Z INFO GET /v1/payments 200 12ms | 2026-11-21T21:38:00.123Z INFO GET /v1/payments 200 12ms",
        "version 1.2.3 at 12:00:01 | version 1.2.3 at 12:00:01",
    })
    void replacesSensitiveValuesAndLeavesLookAlikes(String line, String expected) {
        assertEquals(expected, redactor.forRead().redact(line));
    }

    @Test
    void privateKeyBlocksAreReplacedWhole() {
        Redactor r = redactor.forRead();
        assertEquals("config: [REDACTED_PRIVATE_KEY]", r.redact("config: -----BEGIN RSA PRIVATE KEY-----"));
        assertEquals("[REDACTED_PRIVATE_KEY]", r.redact("MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun"));
        assertEquals("[REDACTED_PRIVATE_KEY]", r.redact("-----END RSA PRIVATE KEY-----"));
        assertEquals("after", r.redact("after"));
        assertEquals(Map.of("PRIVATE_KEY", 3L), r.counts());
    }

    @Test
    void customRulesAndCounts() {
        Redactor r = Redactor.withBuiltins(List.of(RedactionRule.of("TENANT_ID", "tenant=[a-z]+")), Optional.empty()).forRead();
        assertEquals("[REDACTED_TENANT_ID] ip [REDACTED_IPV4] ip [REDACTED_IPV4]", r.redact("tenant=acme ip 10.1.1.1 ip 10.1.1.2"));
        assertEquals(Map.of("TENANT_ID", 1L, "IPV4", 2L), r.counts());
    }

    @Test
    void blindingIsStablePerTenantAndDiffersAcrossTenants() {
        byte[] key = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        Redactor a = Redactor.withBuiltins(List.of(), Optional.of(new Blinding(key, "payments/prod")));
        Redactor b = Redactor.withBuiltins(List.of(), Optional.of(new Blinding(key, "checkout/prod")));
        String first = a.forRead().redact("from 10.0.0.1");
        assertEquals(first, a.forRead().redact("from 10.0.0.1"));
        assertEquals(true, first.matches("from \\[IPV4_[0-9a-f]{8}]"), first);
        assertNotEquals(first, a.forRead().redact("from 10.0.0.2"));
        assertNotEquals(first, b.forRead().redact("from 10.0.0.1"));
    }
}
