package dev.aegis.afs.query.grep;

import dev.aegis.afs.query.grep.RegexNode.Alternation;
import dev.aegis.afs.query.grep.RegexNode.Anchor;
import dev.aegis.afs.query.grep.RegexNode.AnyChar;
import dev.aegis.afs.query.grep.RegexNode.CharSet;
import dev.aegis.afs.query.grep.RegexNode.Concat;
import dev.aegis.afs.query.grep.RegexNode.Empty;
import dev.aegis.afs.query.grep.RegexNode.Literal;
import dev.aegis.afs.query.grep.RegexNode.Repeat;

/**
 * Writes a {@link RegexNode} in RE2 syntax. Every literal is quoted, so characters that are
 * special to RE2 but plain in POSIX ({@code + ? | ( ) { }} in BRE, ...) stay plain.
 */
final class Re2Emitter {

    private Re2Emitter() {
    }

    static String emit(RegexNode node) {
        StringBuilder out = new StringBuilder();
        new Re2Emitter().write(node, out);
        return out.toString();
    }

    /** A class matching any character that is not a word character (letter, digit, underscore). */
    static String nonWordClass() {
        return emit(CharSet.word(true));
    }

    private void write(RegexNode node, StringBuilder out) {
        if (node instanceof Empty) {
            out.append("(?:)");
        } else if (node instanceof Literal l) {
            CodePointSet.appendQuoted(out, l.codePoint());
        } else if (node instanceof AnyChar) {
            out.append('.');
        } else if (node instanceof CharSet s) {
            writeSet(s, out);
        } else if (node instanceof Anchor a) {
            out.append(a.kind() == Anchor.Kind.LINE_START ? '^' : '$');
        } else if (node instanceof Concat c) {
            for (RegexNode item : c.items()) {
                writeGroupedIf(item instanceof Alternation, item, out);
            }
        } else if (node instanceof Alternation a) {
            for (int i = 0; i < a.branches().size(); i++) {
                if (i > 0) {
                    out.append('|');
                }
                write(a.branches().get(i), out);
            }
        } else if (node instanceof Repeat r) {
            boolean atom = r.body() instanceof Literal || r.body() instanceof AnyChar || r.body() instanceof CharSet;
            writeGroupedIf(!atom, r.body(), out);
            out.append(quantifier(r.min(), r.max()));
        } else {
            throw new IllegalArgumentException("unknown node " + node);
        }
    }

    private void writeGroupedIf(boolean group, RegexNode node, StringBuilder out) {
        if (group) {
            out.append("(?:");
        }
        write(node, out);
        if (group) {
            out.append(')');
        }
    }

    private void writeSet(CharSet s, StringBuilder out) {
        StringBuilder body = new StringBuilder(s.chars().toRe2ClassBody());
        s.classes().stream().sorted().forEach(cls -> body.append(cls.re2Spelling()));
        if (body.length() == 0) { // [^\x{0}-\x{10ffff}] matches nothing; negated, anything
            out.append(s.negated() ? "[\\x{0}-\\x{10ffff}]" : "[^\\x{0}-\\x{10ffff}]");
            return;
        }
        out.append(s.negated() ? "[^" : "[").append(body).append(']');
    }

    private static String quantifier(int min, int max) {
        if (max < 0) {
            return min == 0 ? "*" : min == 1 ? "+" : "{" + min + ",}";
        }
        if (min == 0 && max == 1) {
            return "?";
        }
        return min == max ? "{" + min + "}" : "{" + min + "," + max + "}";
    }
}
