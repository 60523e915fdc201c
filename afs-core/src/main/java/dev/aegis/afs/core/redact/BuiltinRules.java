package dev.aegis.afs.core.redact;

import com.google.re2j.Pattern;
import java.util.List;
import java.util.function.Predicate;

/**
 * The rules every read gets unless an env turns them off. Order matters: a JWT inside a bearer
 * header is taken by the bearer rule first; a password inside a URL by the basic-auth rule.
 * Each rule has a precheck that a typical log line fails in a few nanoseconds; the tests in
 * {@code RedactorTest} list positives and near misses for every kind.
 */
final class BuiltinRules {

    private BuiltinRules() {
    }

    /** Characters that end an unquoted value in {@code key=value} forms. */
    private static final String VALUE = "([^\\s\"'&,;\\[\\]<>{}]+)";

    static final List<RedactionRule> ALL = List.of(
            rule("PRIVATE_KEY", contains("PRIVATE KEY-----"),
                    "-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:.*?-----END [A-Z0-9 ]*PRIVATE KEY-----)?", 0),
            rule("BEARER_TOKEN", containsIgnoreCase("bearer"), "(?i)\\bbearer\\s+[A-Za-z0-9._~+/=-]{8,}", 0),
            new RedactionRule("BASIC_AUTH", l -> l.contains("://") || containsIgnoreCase(l, "basic"),
                    Pattern.compile("(?i)\\b[a-z][a-z0-9+.-]*://[^/\\s:@]+:([^/\\s@]+)@|\\bbasic\\s+([A-Za-z0-9+/]{8,}={0,2})(?:[^A-Za-z0-9+/=]|$)"),
                    1, BuiltinRules::basicCredentials),
            rule("JWT", contains("eyJ"), "eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}", 0),
            rule("GITHUB_TOKEN", l -> hasGithubPrefix(l) || l.contains("github_pat_"),
                    "\\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})\\b", 0),
            rule("GITLAB_TOKEN", contains("glpat-"), "\\b(glpat-[A-Za-z0-9_-]{20})(?:[^A-Za-z0-9_-]|$)", 1),
            rule("SLACK_TOKEN", l -> l.contains("xox") || l.contains("hooks.slack.com"),
                    "\\bxox[abprs]-[A-Za-z0-9]{8,}(?:-[A-Za-z0-9]+)+\\b|https://hooks\\.slack\\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,}", 0),
            rule("STRIPE_KEY", l -> l.contains("_live_") || l.contains("_test_"),
                    "\\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\\b", 0),
            rule("GOOGLE_API_KEY", contains("AIza"), "\\b(AIza[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|$)", 1),
            rule("AWS_ACCESS_KEY", l -> l.contains("AKIA") || l.contains("ASIA"), "\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b", 0),
            rule("AWS_SECRET_KEY", containsIgnoreCase("secret"),
                    "(?i)\\baws_?secret(?:_?access)?_?key[\"']?\\s*[:=]\\s*[\"']?([A-Za-z0-9/+=]{40})(?:[^A-Za-z0-9/+=]|$)", 1),
            rule("PASSWORD", l -> containsIgnoreCase(l, "pass") || containsIgnoreCase(l, "pwd"),
                    "(?i)\\b(?:password|passwd|pwd|pass)[\"']?\\s*[:=]\\s*[\"']?" + VALUE, 1),
            rule("EMAIL", contains("@"), "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}", 0),
            new RedactionRule("CARD_NUMBER", BuiltinRules::hasLongDigitRun,
                    Pattern.compile("\\b[2-6]\\d{3}(?:[ -]?\\d{3,4}){2,3}(?:[ -]?\\d{1,4})?\\b"), 0, Cards::accept),
            rule("IPV6", l -> l.contains("::") || colons(l) >= 7,
                    "(?i)\\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\\b|(?i)\\b(?:[0-9a-f]{1,4}:){1,7}:(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{1,4}\\b", 0),
            rule("IPV4", BuiltinRules::hasDottedQuad,
                    "\\b(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\b", 0));

    /** {@code group} -1: the first group that took part in the match (for rules with alternatives). */
    private static RedactionRule rule(String kind, Predicate<String> precheck, String re2, int group) {
        Pattern p = Pattern.compile(re2);
        return new RedactionRule(kind, precheck, p, group < 0 ? p.groupCount() == 0 ? 0 : 1 : group,
                (l, s, e) -> true);
    }

    /** {@code ghp_}, {@code gho_}, {@code ghu_}, {@code ghs_} or {@code ghr_} somewhere in the line. */
    private static boolean hasGithubPrefix(String line) {
        for (int i = line.indexOf('_'); i >= 0; i = line.indexOf('_', i + 1)) {
            if (i >= 3 && line.charAt(i - 3) == 'g' && line.charAt(i - 2) == 'h' && "pousr".indexOf(line.charAt(i - 1)) >= 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * A URL's {@code user:password@} always counts; an {@code Authorization: Basic} token only
     * when it decodes to {@code user:password} ("basic authentication enabled" is prose).
     */
    private static boolean basicCredentials(String line, int start, int end) {
        String match = line.substring(start, end);
        if (match.contains("://")) {
            return true;
        }
        String token = match.substring(5).strip();
        int stop = 0;
        while (stop < token.length() && (Character.isLetterOrDigit(token.charAt(stop)) || "+/=".indexOf(token.charAt(stop)) >= 0)) {
            stop++;
        }
        try {
            byte[] decoded = java.util.Base64.getDecoder().decode(token.substring(0, stop));
            return new String(decoded, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf(':') > 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Predicate<String> contains(String literal) {
        return line -> line.contains(literal);
    }

    private static Predicate<String> containsIgnoreCase(String lowerLiteral) {
        return line -> containsIgnoreCase(line, lowerLiteral);
    }

    /**
     * ASCII case-insensitive search without allocating: jumps between occurrences of the first
     * letter in either case (String.indexOf is an intrinsic), then compares the rest.
     */
    static boolean containsIgnoreCase(String line, String lowerLiteral) {
        int n = lowerLiteral.length();
        char lower = lowerLiteral.charAt(0);
        char upper = Character.toUpperCase(lower);
        int last = line.length() - n;
        int nextLower = line.indexOf(lower);
        int nextUpper = line.indexOf(upper);
        while (true) {
            int i = nextLower < 0 ? nextUpper : nextUpper < 0 ? nextLower : Math.min(nextLower, nextUpper);
            if (i < 0 || i > last) {
                return false;
            }
            if (line.regionMatches(true, i + 1, lowerLiteral, 1, n - 1)) {
                return true;
            }
            if (i == nextLower) {
                nextLower = line.indexOf(lower, i + 1);
            }
            if (i == nextUpper) {
                nextUpper = line.indexOf(upper, i + 1);
            }
        }
    }

    private static int colons(String line) {
        int count = 0;
        for (int i = line.indexOf(':'); i >= 0; i = line.indexOf(':', i + 1)) {
            count++;
        }
        return count;
    }

    /** Three dots, each between digits, within 15 characters: what every IPv4 address has. */
    static boolean hasDottedQuad(String line) {
        int dots = 0;
        int firstDot = -1;
        for (int i = line.indexOf('.'); i >= 0; i = line.indexOf('.', i + 1)) {
            if (i > 0 && i + 1 < line.length() && isDigit(line.charAt(i - 1)) && isDigit(line.charAt(i + 1))) {
                if (dots == 0 || i - firstDot > 12) {
                    dots = 1;
                    firstDot = i;
                } else if (++dots == 3) {
                    return true;
                }
            }
        }
        return false;
    }

    /** At least 13 digits in a row, single spaces or dashes allowed between them. */
    static boolean hasLongDigitRun(String line) {
        int run = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (isDigit(c)) {
                if (++run >= 13) {
                    return true;
                }
            } else if (!((c == ' ' || c == '-') && run > 0 && i + 1 < line.length() && isDigit(line.charAt(i + 1)))) {
                run = 0;
            }
        }
        return false;
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
