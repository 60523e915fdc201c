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

    /** Every built-in kind: positives first, then near misses that must stay exactly as they are. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        // AWS secret access keys, only in context (a bare 40-character string is too common)
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY | aws_secret_access_key = [REDACTED_AWS_SECRET_KEY]",
        "`{\"AWS_SECRET_KEY\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"}` | `{\"AWS_SECRET_KEY\": \"[REDACTED_AWS_SECRET_KEY]\"}`",
        "checksum=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY | checksum=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "aws_secret_access_key=tooShortToBeAKey123 | aws_secret_access_key=tooShortToBeAKey123",
        // password assignments: config, URL query, JSON, YAML
        "db password=hunter2 ok | db password=[REDACTED_PASSWORD] ok",
        "GET /login?user=bob&pwd=abc123&next=/ | GET /login?user=bob&pwd=[REDACTED_PASSWORD]&next=/",
        "`{\"password\": \"s3cr3t!\"}` | `{\"password\": \"[REDACTED_PASSWORD]\"}`",
        "passwd: tops3cret | passwd: [REDACTED_PASSWORD]",
        "password_reset=true sent | password_reset=true sent",
        "password policy updated | password policy updated",
        "bypass=1 passwords: 3 | bypass=1 passwords: 3",
        // basic auth in URLs and headers
        "GET https://bob:hunter2@api.example.com/x | GET https://bob:[REDACTED_BASIC_AUTH]@api.example.com/x",
        "Authorization: Basic dXNlcjpwYXNzd29yZA== | Authorization: Basic [REDACTED_BASIC_AUTH]",
        "GET https://api.example.com:8443/x | GET https://api.example.com:8443/x",
        "basic authentication enabled | basic authentication enabled",
        // provider tokens
        "token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 used | token [REDACTED_GITHUB_TOKEN] used",
        "branch ghp_short123 and high_water | branch ghp_short123 and high_water",
        "GITLAB glpat-AbCdEfGhIjKlMnOpQrSt ok | GITLAB [REDACTED_GITLAB_TOKEN] ok",
        "GITLAB glpat-short ok | GITLAB glpat-short ok",
        "slack xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx | slack [REDACTED_SLACK_TOKEN]",
        "hook https://hooks.slack.com/services/T0123ABCD/B0123ABCD/AbCdEfGhIjKlMnOpQrStUvWx | hook [REDACTED_SLACK_TOKEN]",
        "xoxb-test is a fixture | xoxb-test is a fixture",
        "stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc ok | stripe [REDACTED_STRIPE_KEY] ok",
        "stripe pk_live_4eC39HqLyjWDarjtT1zdp7dc is public | stripe pk_live_4eC39HqLyjWDarjtT1zdp7dc is public",
        "key=AIzaSyA1234567890abcdefghijklmnopqrstuv ok | key=[REDACTED_GOOGLE_API_KEY] ok",
        "key=AIzaSyA12345 ok | key=AIzaSyA12345 ok",
        // private keys, PEM and OpenSSH
        "-----BEGIN OPENSSH PRIVATE KEY-----b3BlbnNzaC1rZXktdjE-----END OPENSSH PRIVATE KEY----- | [REDACTED_PRIVATE_KEY]",
        "-----BEGIN EC PRIVATE KEY-----MHcCAQEEIBkg-----END EC PRIVATE KEY----- | [REDACTED_PRIVATE_KEY]",
        "-----BEGIN PUBLIC KEY----- | -----BEGIN PUBLIC KEY-----",
        "-----BEGIN CERTIFICATE----- | -----BEGIN CERTIFICATE-----",
        // card numbers: Luhn, standing alone; never a fragment of a longer number
        "paid with 4111111111111111 today | paid with [REDACTED_CARD_NUMBER] today",
        "card 5500-0000-0000-0004 ok | card [REDACTED_CARD_NUMBER] ok",
        "amex 3782 822463 10005 ok | amex [REDACTED_CARD_NUMBER] ok",
        "value 16817.4111111111111111 | value 16817.4111111111111111",
        "value 4111111111111111.5 | value 4111111111111111.5",
        "id=41111111111111112222 | id=41111111111111112222",
        "ts=1732190400000 took 12ms | ts=1732190400000 took 12ms",
        "ts=4732190400000 took 12ms | ts=4732190400000 took 12ms",
    })
    void everyBuiltinKindHasPositivesAndNearMisses(String line, String expected) {
        assertEquals(expected, redactor.forRead().redact(line));
    }

    @Test
    void redactionIsIdempotentOnServedText() {
        for (String line : List.of("db password=hunter2 and basic dXNlcjpwYXNzd29yZA== to https://a:b@c.d",
                "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY from 10.0.0.1 by x@y.io")) {
            String once = redactor.forRead().redact(line);
            assertEquals(once, redactor.forRead().redact(once), line);
        }
    }

    @Test
    void countsComeFromServedMarkers() {
        Redactor r = redactor.forRead();
        r.countMarkers(r.redact("a@b.io and c@d.io from 10.0.0.1"));
        r.redact("e@f.io never served");
        assertEquals(Map.of("EMAIL", 2L, "IPV4", 1L), r.counts());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "`  replicas: 3` | `  replicas: 3`",
        "`  10.0.0.1: x` | `  10.0.0.1: x`",
        "`  podIP: 10.0.0.7` | `  podIP: [REDACTED_IPV4]`",
        "`  - 10.0.0.8` | `  - [REDACTED_IPV4]`",
        "`    owner: ana@example.com` | `    owner: [REDACTED_EMAIL]`",
        "`  port: \"4111111111111111\"` | `  port: \"4111111111111111\"`",
        "`    password: hunter2` | `    password: [REDACTED_PASSWORD]`",
    })
    void yamlRedactsValuesNotKeysOrNumbers(String line, String expected) {
        assertEquals(expected, redactor.forRead().redactYaml(line));
    }

    @Test
    void privateKeyBlocksAreReplacedWhole() {
        Redactor r = redactor.forRead();
        assertEquals("config: [REDACTED_PRIVATE_KEY]", r.redact("config: -----BEGIN RSA PRIVATE KEY-----"));
        assertEquals("[REDACTED_PRIVATE_KEY]", r.redact("MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun"));
        assertEquals("[REDACTED_PRIVATE_KEY]", r.redact("-----END RSA PRIVATE KEY-----"));
        assertEquals("after", r.redact("after"));
    }

    @Test
    void customRulesAndCounts() {
        Redactor r = Redactor.withBuiltins(List.of(RedactionRule.of("TENANT_ID", "tenant=[a-z]+")), Optional.empty()).forRead();
        String served = r.redact("tenant=acme ip 10.1.1.1 ip 10.1.1.2");
        assertEquals("[REDACTED_TENANT_ID] ip [REDACTED_IPV4] ip [REDACTED_IPV4]", served);
        r.countMarkers(served);
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
