package dev.aegis.afs.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.config.ConfigException;
import dev.aegis.afs.core.config.Namespaces;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** namespaces.yaml {@code tokens:} and who a token principal may read. */
class BearerTokensTest {

    @TempDir
    Path dir;

    private Namespaces load(String tokens, String read) throws Exception {
        Path file = dir.resolve("namespaces.yaml");
        Files.writeString(file, tokens + """
                teams:
                  payments:
                    prod:
                      %s
                  checkout:
                    prod:
                      access: {read: [token:checkout-agent]}
                """.formatted(read));
        return Namespaces.load(file, Set.of("logs"));
    }

    private static String sha(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aTokenIsKnownByItsSha256AndNamesItsPrincipal() throws Exception {
        Namespaces config = load("tokens:\n  payments-agent: {sha256: %s, groups: [payments-agents]}\n".formatted(sha("s3cret")),
                "access: {read: [token:payments-agent]}");
        BearerTokens tokens = BearerTokens.from(config);
        McpPrincipal.Token t = tokens.authenticate("s3cret").orElseThrow();
        assertEquals("token:payments-agent", t.name());
        assertEquals(Set.of("payments-agents"), t.groups());
        assertTrue(t.isAgent());
        assertFalse(t.toString().contains("s3cret"), "the secret never appears in logs: " + t);
        assertTrue(tokens.authenticate("s3cret ").isEmpty());
        assertTrue(tokens.authenticate("").isEmpty());
        assertTrue(tokens.authenticate(null).isEmpty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[token:payments-agent]     | true  | false",
            "[group:payments-agents]    | true  | false",
            "['*']                      | true  | true",
            "[uid:0, token:other]       | false | false",
    })
    void accessListsMatchTokensByNameGroupOrStar(String read, boolean payments, boolean checkoutTokenOnPayments) throws Exception {
        Namespaces config = load("tokens:\n  payments-agent: {sha256: %s, groups: [payments-agents]}\n  checkout-agent: {sha256: %s}\n"
                .formatted(sha("p"), sha("c")), "access: {read: " + read + "}");
        TokenAccess access = TokenAccess.from(config);
        BearerTokens tokens = BearerTokens.from(config);
        McpPrincipal.Token p = tokens.authenticate("p").orElseThrow();
        McpPrincipal.Token c = tokens.authenticate("c").orElseThrow();
        assertEquals(payments, access.canRead(p, "payments", "prod"));
        assertEquals(checkoutTokenOnPayments, access.canRead(c, "payments", "prod"));
        assertFalse(access.canRead(p, "checkout", "prod"));
        assertTrue(access.canRead(c, "checkout", "prod"));
        assertEquals(payments, access.canReadPath(p, "/teams/payments/prod/logs/api.log?tail=5"));
        assertFalse(access.canReadPath(p, "/context/skills"), "evidence of no env is not a token's");
    }

    @Test
    void noAccessSectionMeansNoToken() throws Exception {
        Namespaces config = load("tokens:\n  payments-agent: {sha256: %s}\n".formatted(sha("p")), "logs: {}");
        assertFalse(TokenAccess.from(config).canRead(BearerTokens.from(config).authenticate("p").orElseThrow(), "payments", "prod"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "tokens: {agent: {sha256: abc}}                              | sha256 must be 64 hex digits",
            "tokens: {agent: {sha256: %s, group: [x]}}                    | unknown key 'group'",
            "tokens: {Agent!: {sha256: %s}}                               | token name 'Agent!' is not allowed",
            "tokens: [agent]                                             | 'tokens' must map each token name",
    })
    void badTokenConfigNamesTheFix(String tokens, String message) throws Exception {
        Namespaces config = load(tokens.formatted(sha("x")) + "\n", "access: {read: [token:checkout-agent]}");
        ConfigException e = assertThrows(ConfigException.class, () -> BearerTokens.from(config));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertTrue(e.getMessage().contains("namespaces.yaml:1:"), "names file:line:column: " + e.getMessage());
    }

    @Test
    void aBadTokenEntryInAnAccessListIsAConfigError() throws Exception {
        ConfigException e = assertThrows(ConfigException.class,
                () -> dev.aegis.afs.core.access.AccessPolicy.from(load("", "access: {read: ['token:Bad Name']}").teams(),
                        dev.aegis.afs.core.access.UnixAccounts.system()));
        assertTrue(e.getMessage().contains("is not a token name"), e.getMessage());
    }
}
