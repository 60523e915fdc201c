package dev.aegis.afs.query.grep;

import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.grep.RegexNode.Alternation;
import dev.aegis.afs.query.grep.RegexNode.Anchor;
import dev.aegis.afs.query.grep.RegexNode.AnyChar;
import dev.aegis.afs.query.grep.RegexNode.CharSet;
import dev.aegis.afs.query.grep.RegexNode.Concat;
import dev.aegis.afs.query.grep.RegexNode.Empty;
import dev.aegis.afs.query.grep.RegexNode.Literal;
import dev.aegis.afs.query.grep.RegexNode.Repeat;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses one GNU grep pattern (no newlines) in basic (-G) or extended (-E) syntax into a
 * {@link RegexNode}, following glibc's regcomp and grep's dfa.c where they agree, and refusing
 * the few spellings where they disagree (grep's answer would depend on which matcher runs).
 */
final class PosixParser {

    /** RE2's largest repeat count; grep allows up to 32767. */
    static final int RE2_MAX_REPEAT = 1000;
    private static final int GNU_DUP_MAX = 0x7fff;

    /** What precedes the current position within a branch, which decides what {@code ^ * \{} mean. */
    private enum Context { START, ANCHOR, ATOM }

    private final int[] cps;
    private final String pattern;
    private final boolean ere;
    private final boolean ignoreCase;
    private int pos;
    private int depth;

    /** Deepest group nesting accepted. */
    static final int MAX_GROUP_DEPTH = 100;
    private boolean unmatchedCloseParen;

    private PosixParser(String pattern, boolean ere, boolean ignoreCase) {
        this.pattern = pattern;
        this.cps = pattern.codePoints().toArray();
        this.ere = ere;
        this.ignoreCase = ignoreCase;
    }

    /** The parse of a pattern and whether it had an ERE {@code )} taken literally (matters under -w/-x). */
    record Parsed(RegexNode node, boolean unmatchedCloseParen) {
    }

    static Parsed parse(String pattern, boolean ere, boolean ignoreCase) {
        PosixParser parser = new PosixParser(pattern, ere, ignoreCase);
        RegexNode node = parser.alternation();
        if (parser.pos < parser.cps.length) {
            throw syntaxError("Unmatched ) or \\)");
        }
        return new Parsed(node, parser.unmatchedCloseParen);
    }

    static QuerySyntaxException syntaxError(String grepMessage) {
        return new QuerySyntaxException("invalid grep pattern: " + grepMessage
                + " (GNU grep rejects this too); fix the pattern, or use -F to search for the text literally");
    }

    private RegexNode alternation() {
        List<RegexNode> branches = new ArrayList<>();
        branches.add(branch());
        while (atAlternationOperator()) {
            pos += ere ? 1 : 2;
            branches.add(branch());
        }
        return branches.size() == 1 ? branches.get(0) : new Alternation(branches);
    }

    private RegexNode branch() {
        List<RegexNode> items = new ArrayList<>();
        Context context = Context.START;
        while (pos < cps.length && !atAlternationOperator() && !atGroupClose()) {
            if (ere && cps[pos] == '{' && context != Context.ATOM) {
                leadingBrace();
            }
            if (atRepetitionOperator()) {
                if (context == Context.ATOM) {
                    items.set(items.size() - 1, repetition(items.get(items.size() - 1)));
                    continue;
                }
                if (ere) {
                    leadingOperator(context);
                    continue;
                }
                // BRE: at the start of an expression or after an anchor the operator is literal.
                items.add(new Literal(bre()));
                pos += cps[pos] == '\\' ? 2 : 1;
                context = Context.ATOM;
                continue;
            }
            RegexNode atom = atom(context);
            items.add(atom);
            context = atom instanceof Anchor ? Context.ANCHOR : Context.ATOM;
        }
        if (items.isEmpty()) {
            return new Empty();
        }
        return items.size() == 1 ? items.get(0) : new Concat(items);
    }

    /** The literal character a BRE repetition operator stands for out of context. */
    private int bre() {
        return cps[pos] == '\\' ? cps[pos + 1] : cps[pos];
    }

    /** ERE: an operator with nothing to repeat. GNU ignores it; after an anchor its matchers disagree. */
    private void leadingOperator(Context context) {
        int op = cps[pos];
        if (context == Context.ANCHOR) {
            throw new UnsupportedPatternException("'" + new String(Character.toChars(op)) + "' right after an anchor in '"
                    + pattern + "' is read differently by GNU grep's two matchers (repeat the anchor, or ignore the "
                    + "operator); remove it, or quote it as \\" + new String(Character.toChars(op)));
        }
        pos++; // GNU grep -E ignores a leading *, + or ? (with a warning)
        if (depth > 0 && pos < cps.length && cps[pos] == ')') {
            // glibc then takes the ')' as a literal (so "(+)" is unbalanced), grep's DFA closes the group.
            throw new UnsupportedPatternException("'" + new String(Character.toChars(op)) + ")' in '" + pattern
                    + "' is read differently by GNU grep's two matchers (GNU grep rejects '(" + new String(Character.toChars(op))
                    + ")' as unbalanced); remove the operator or quote it");
        }
    }

    /**
     * ERE: a {@code {} with nothing to repeat. grep's DFA reads it as a literal brace (or ignores
     * a valid interval) while glibc's regex drops the brace, so grep's answer depends on which
     * matcher runs: refused.
     */
    private void leadingBrace() {
        throw new UnsupportedPatternException("a '{' with nothing before it in '" + pattern + "' is read differently "
                + "by GNU grep's two matchers; quote it as \\{ (or use -F for plain text)");
    }

    private RegexNode atom(Context context) {
        int c = cps[pos];
        if (c == '\\') {
            return escape();
        }
        pos++;
        switch (c) {
            case '.':
                return new AnyChar();
            case '[':
                BracketParser.Result bracket = BracketParser.parse(cps, pos - 1, ignoreCase);
                pos = bracket.end();
                return bracket.charSet();
            case '^':
                if (ere || context == Context.START) {
                    return new Anchor(Anchor.Kind.LINE_START);
                }
                return new Literal('^');
            case '$':
                if (ere || pos == cps.length || atAlternationOperator() || atBreGroupClose()) {
                    return new Anchor(Anchor.Kind.LINE_END);
                }
                return new Literal('$');
            case '(':
                if (ere) {
                    return group();
                }
                return new Literal(c);
            case ')':
                if (ere) {
                    unmatchedCloseParen = true; // only reached at depth 0: GNU takes it literally
                }
                return new Literal(c);
            default:
                return new Literal(c);
        }
    }

    private RegexNode group() {
        if (depth >= MAX_GROUP_DEPTH) {
            // the parser, the emitter and RE2 all recurse per level: bound it before the stack does
            throw new UnsupportedPatternException("groups nested more than " + MAX_GROUP_DEPTH
                    + " deep are not supported; flatten the pattern or use several -e patterns");
        }
        depth++;
        RegexNode inner = alternation();
        if (!atGroupClose()) {
            throw syntaxError("Unmatched ( or \\(");
        }
        pos += ere ? 1 : 2;
        depth--;
        // A group is an atom even when it holds only an anchor: (^)* repeats it.
        return inner instanceof Anchor ? new Concat(List.of(inner)) : inner;
    }

    private RegexNode escape() {
        if (pos + 1 >= cps.length) {
            throw syntaxError("Trailing backslash");
        }
        int c = cps[pos + 1];
        pos += 2;
        if (!ere && c == '(') {
            return group();
        }
        if (!ere && c == ')') {
            throw syntaxError("Unmatched ) or \\)");
        }
        switch (c) {
            case 'w':
                return CharSet.word(false);
            case 'W':
                return CharSet.word(true);
            case 's':
                return CharSet.of(PosixClass.SPACE, false);
            case 'S':
                return CharSet.of(PosixClass.SPACE, true);
            case '`':
                return new Anchor(Anchor.Kind.LINE_START); // start of the buffer grep matches: the line
            case '\'':
                return new Anchor(Anchor.Kind.LINE_END);
            case 'b', 'B', '<', '>':
                throw new UnsupportedPatternException("\\" + (char) c + " in '" + pattern + "' is not supported: RE2 "
                        + "has no lookahead and its \\b only knows ASCII word characters; use -w to match whole words, "
                        + "or spell the neighbouring characters out, e.g. '\\W' or '^'");
            default:
                break;
        }
        if (c >= '1' && c <= '9') {
            throw new UnsupportedPatternException("back-references are not supported (RE2 has none): '\\" + (char) c
                    + "' in '" + pattern + "'; spell the repeated text out, or filter twice (grep A | grep B)");
        }
        return new Literal(c); // \. \* \[ \\ ... and GNU's stray escapes such as \a all stand for the character
    }

    private RegexNode repetition(RegexNode body) {
        int c = cps[pos];
        if (c == '*') {
            pos++;
            return new Repeat(body, 0, -1);
        }
        if (ere ? c == '+' : c == '\\' && cps[pos + 1] == '+') {
            pos += ere ? 1 : 2;
            return new Repeat(body, 1, -1);
        }
        if (ere ? c == '?' : c == '\\' && cps[pos + 1] == '?') {
            pos += ere ? 1 : 2;
            return new Repeat(body, 0, 1);
        }
        int[] bounds = intervalBounds(pos);
        if (bounds == null) {
            throw new IllegalStateException("unreachable: not a repetition operator at " + pos);
        }
        pos = bounds[2];
        int min = bounds[0];
        int max = bounds[1];
        if ((max >= 0 ? max : min) > GNU_DUP_MAX) {
            throw syntaxError("Regular expression too big");
        }
        if ((max >= 0 ? max : min) > RE2_MAX_REPEAT) {
            throw new UnsupportedPatternException("the interval in '" + pattern + "' repeats more than "
                    + RE2_MAX_REPEAT + " times, RE2's limit; use a smaller count");
        }
        return new Repeat(body, min, max);
    }

    /**
     * Reads an interval at {@code at} ({@code \{m,n\}} in BRE, {@code {m,n}} in ERE): returns
     * {min, max (-1 unbounded), end index}, or null in ERE when GNU takes the brace literally.
     */
    private int[] intervalBounds(int at) {
        int i = at + (ere ? 1 : 2);
        int min = -1;
        int max;
        boolean invalid = false;
        while (i < cps.length && !isIntervalClose(i) && cps[i] != ',') {
            invalid |= cps[i] < '0' || cps[i] > '9';
            min = invalid ? -1 : Math.min(GNU_DUP_MAX + 1, (min < 0 ? 0 : min * 10) + cps[i] - '0');
            i++;
        }
        if (i >= cps.length) {
            return ereLiteralOr("Unmatched \\{");
        }
        if (invalid) {
            return ereLiteralOr("Invalid content of \\{\\}");
        }
        if (cps[i] == ',') {
            if (min < 0) {
                min = 0;
            }
            i++;
            max = -1;
            while (i < cps.length && !isIntervalClose(i)) {
                invalid |= cps[i] < '0' || cps[i] > '9';
                max = invalid ? -1 : Math.min(GNU_DUP_MAX + 1, (max < 0 ? 0 : max * 10) + cps[i] - '0');
                i++;
            }
            if (i >= cps.length) {
                return ereLiteralOr("Unmatched \\{");
            }
            if (invalid) {
                return ereLiteralOr("Invalid content of \\{\\}");
            }
        } else {
            if (min < 0) {
                throw syntaxError("Invalid content of \\{\\}"); // {} is an error even in ERE
            }
            max = min;
        }
        if (max >= 0 && min > max) {
            throw syntaxError("Invalid content of \\{\\}");
        }
        return new int[] {min, max, i + (ere ? 1 : 2)};
    }

    private int[] ereLiteralOr(String breMessage) {
        if (ere) {
            return null;
        }
        throw syntaxError(breMessage);
    }

    private boolean isIntervalClose(int i) {
        return ere ? cps[i] == '}' : cps[i] == '\\' && i + 1 < cps.length && cps[i + 1] == '}';
    }

    private boolean atRepetitionOperator() {
        int c = cps[pos];
        if (ere) {
            return c == '*' || c == '+' || c == '?' || (c == '{' && intervalBounds(pos) != null);
        }
        if (c == '*') {
            return true;
        }
        if (c == '\\' && pos + 1 < cps.length) {
            int n = cps[pos + 1];
            return n == '+' || n == '?' || n == '{';
        }
        return false;
    }

    private boolean atAlternationOperator() {
        if (pos >= cps.length) {
            return false;
        }
        return ere ? cps[pos] == '|' : cps[pos] == '\\' && pos + 1 < cps.length && cps[pos + 1] == '|';
    }

    private boolean atGroupClose() {
        if (pos >= cps.length || depth == 0) {
            return false;
        }
        return ere ? cps[pos] == ')' : atBreGroupClose();
    }

    private boolean atBreGroupClose() {
        return !ere && pos + 1 < cps.length && cps[pos] == '\\' && cps[pos + 1] == ')';
    }
}
