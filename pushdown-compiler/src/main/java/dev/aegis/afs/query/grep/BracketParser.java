package dev.aegis.afs.query.grep;

import dev.aegis.afs.query.QuerySyntaxException;

/**
 * Parses one POSIX bracket expression ({@code [...]}) the way GNU grep does in C.UTF-8:
 * {@code ]} first is literal, {@code -} first or last is literal, backslash is literal,
 * {@code [:class:]}, single-character {@code [=c=]} and {@code [.c.]}, ranges by code point.
 */
final class BracketParser {

    static final String UNMATCHED = "Unmatched [, [^, [:, [., or [=";

    private final int[] cps;
    private final boolean ignoreCase;
    private int pos;

    /** The parsed set and the index just past the closing {@code ]}. */
    record Result(RegexNode.CharSet charSet, int end) {
    }

    private BracketParser(int[] cps, int start, boolean ignoreCase) {
        this.cps = cps;
        this.pos = start;
        this.ignoreCase = ignoreCase;
    }

    /** @param open index of the opening {@code [} in {@code cps} */
    static Result parse(int[] cps, int open, boolean ignoreCase) {
        return new BracketParser(cps, open + 1, ignoreCase).parse();
    }

    private Result parse() {
        boolean negated = peek() == '^';
        if (negated) {
            pos++;
        }
        int contentStart = pos;
        boolean onlySingles = true;
        CodePointSet set = CodePointSet.EMPTY;
        java.util.Set<PosixClass> classes = java.util.EnumSet.noneOf(PosixClass.class);
        boolean first = true;
        while (true) {
            if (pos >= cps.length) {
                throw error(UNMATCHED);
            }
            int c = cps[pos];
            if (c == ']' && !first) {
                pos++;
                break;
            }
            first = false;
            Item item = item();
            if (peek() == '-' && peekAt(pos + 1) != ']' && peekAt(pos + 1) != -1) {
                pos++; // the range dash
                if (item.set != null) {
                    throw error("Invalid range end");
                }
                Item end = item();
                if (end.set != null || end.codePoint < item.codePoint) {
                    throw error("Invalid range end");
                }
                if (item.codePoint > 0x7f || end.codePoint > 0x7f) {
                    throw new UnsupportedPatternException("the range [" + new String(Character.toChars(item.codePoint))
                            + "-" + new String(Character.toChars(end.codePoint)) + "] has a non-ASCII end; GNU grep orders "
                            + "such ranges by the locale's collation, which we do not reproduce: list the characters instead");
                }
                if (peek() == '-' && peekAt(pos + 1) != ']') {
                    throw error("Invalid range end"); // as in [a-b-c]
                }
                set = set.union(CodePointSet.of(item.codePoint, end.codePoint));
                onlySingles = false;
            } else {
                if (item.set != null) {
                    classes.add(item.set);
                } else {
                    set = set.union(CodePointSet.single(item.codePoint));
                }
                onlySingles &= item.set == null && !item.bracketed;
            }
        }
        checkConfusingColon(contentStart, pos - 1, onlySingles);
        return new Result(new RegexNode.CharSet(set, classes, negated), pos);
    }

    /** grep 3.8 rejects {@code [:space:]} (meant as {@code [[:space:]]}) rather than match its letters. */
    private void checkConfusingColon(int from, int closing, boolean onlySingles) {
        if (!onlySingles || closing - from < 2 || cps[from] != ':' || cps[closing - 1] != ':') {
            return;
        }
        for (int i = from; i < closing; i++) {
            if (cps[i] != ':') {
                throw error("character class syntax is [[:space:]], not [:space:]");
            }
        }
    }

    /** One item: a single character ({@code set} null) or a class ({@code set} set). */
    private record Item(int codePoint, PosixClass set, boolean bracketed) {
    }

    private Item item() {
        int c = cps[pos];
        if (c == '[' && (peekAt(pos + 1) == ':' || peekAt(pos + 1) == '=' || peekAt(pos + 1) == '.')) {
            int kind = cps[pos + 1];
            int close = findClose(pos + 2, kind);
            String name = new String(cps, pos + 2, close - (pos + 2));
            pos = close + 2;
            if (kind == ':') {
                return new Item(-1, classSet(name), true);
            }
            if (name.codePointCount(0, name.length()) != 1) {
                throw error("Invalid collation character");
            }
            // In C.UTF-8 collation is by code point, so [=c=] and [.c.] are c itself.
            return new Item(name.codePointAt(0), null, true);
        }
        pos++;
        return new Item(c, null, false);
    }

    private PosixClass classSet(String name) {
        PosixClass cls = PosixClass.named(name).orElseThrow(() -> error("Invalid character class name"));
        if (ignoreCase && (cls == PosixClass.UPPER || cls == PosixClass.LOWER)) {
            cls = PosixClass.ALPHA; // as grep and glibc do under -i
        }
        return cls;
    }

    private int findClose(int from, int kind) {
        for (int i = from; i + 1 < cps.length; i++) {
            if (cps[i] == kind && cps[i + 1] == ']') {
                return i;
            }
        }
        throw error(UNMATCHED);
    }

    private int peek() {
        return peekAt(pos);
    }

    private int peekAt(int i) {
        return i < cps.length ? cps[i] : -1;
    }

    private static QuerySyntaxException error(String grepMessage) {
        return PosixParser.syntaxError(grepMessage);
    }
}
