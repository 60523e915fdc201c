package dev.aegis.afs.core.redact;

import com.google.re2j.Pattern;
import java.util.List;

/**
 * The rules every read gets unless an env turns them off: emails, IPv4/IPv6 addresses, bearer
 * tokens, JWTs, AWS access key ids, private key blocks and card numbers (Luhn-checked).
 * Order matters: a JWT inside a bearer header is taken by the bearer rule first.
 */
final class BuiltinRules {

    private BuiltinRules() {
    }

    static final List<RedactionRule> ALL = List.of(
            RedactionRule.of("PRIVATE_KEY", "-----BEGIN [A-Z ]*PRIVATE KEY-----(?:.*?-----END [A-Z ]*PRIVATE KEY-----)?"),
            RedactionRule.of("BEARER_TOKEN", "(?i)bearer\\s+[A-Za-z0-9._~+/=-]{8,}"),
            RedactionRule.of("JWT", "eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}"),
            RedactionRule.of("AWS_ACCESS_KEY", "\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b"),
            RedactionRule.of("EMAIL", "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}"),
            new RedactionRule("CARD_NUMBER", Pattern.compile("\\b(?:\\d[ -]?){12,18}\\d\\b"), BuiltinRules::luhn),
            RedactionRule.of("IPV6", "(?i)\\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\\b|(?i)\\b(?:[0-9a-f]{1,4}:){1,7}:(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{1,4}\\b"),
            RedactionRule.of("IPV4", "\\b(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\b"));

    /** The Luhn checksum of the digits in {@code candidate}. */
    static boolean luhn(String candidate) {
        int sum = 0;
        boolean twice = false;
        int digits = 0;
        for (int i = candidate.length() - 1; i >= 0; i--) {
            char c = candidate.charAt(i);
            if (c < '0' || c > '9') {
                continue;
            }
            int d = c - '0';
            if (twice) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            twice = !twice;
            digits++;
        }
        return digits >= 13 && sum % 10 == 0;
    }
}
