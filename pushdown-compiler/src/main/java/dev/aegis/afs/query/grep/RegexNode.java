package dev.aegis.afs.query.grep;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/** The parsed form of one POSIX (GNU) regular expression, independent of BRE/ERE spelling. */
sealed interface RegexNode {

    /** The empty expression: matches the empty string everywhere. */
    record Empty() implements RegexNode {
    }

    /** One character, exactly. */
    record Literal(int codePoint) implements RegexNode {
    }

    /** {@code .}: any character (lines never contain a newline). */
    record AnyChar() implements RegexNode {
    }

    /**
     * A bracket expression or class escape: the listed characters plus the named classes, or
     * the complement of both when {@code negated}.
     */
    record CharSet(CodePointSet chars, Set<PosixClass> classes, boolean negated) implements RegexNode {
        public CharSet {
            Objects.requireNonNull(chars, "chars is null");
            classes = Set.copyOf(classes);
        }

        static CharSet of(PosixClass cls, boolean negated) {
            return new CharSet(CodePointSet.EMPTY, Set.of(cls), negated);
        }

        /** The word characters (alnum and underscore), or their complement: \w, \W. */
        static CharSet word(boolean negated) {
            return new CharSet(CodePointSet.single('_'), Set.of(PosixClass.ALNUM), negated);
        }
    }

    /** A zero-width assertion. */
    record Anchor(Kind kind) implements RegexNode {
        enum Kind { LINE_START, LINE_END }
    }

    record Concat(List<RegexNode> items) implements RegexNode {
        public Concat {
            items = List.copyOf(items);
        }
    }

    record Alternation(List<RegexNode> branches) implements RegexNode {
        public Alternation {
            branches = List.copyOf(branches);
        }
    }

    /** {@code body} repeated {@code min} to {@code max} times; {@code max} is -1 when unbounded. */
    record Repeat(RegexNode body, int min, int max) implements RegexNode {
        public Repeat {
            Objects.requireNonNull(body, "body is null");
        }
    }
}
