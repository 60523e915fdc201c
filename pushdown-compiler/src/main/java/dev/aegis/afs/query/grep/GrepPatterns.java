package dev.aegis.afs.query.grep;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.Match;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.grep.GrepOptions.Syntax;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Turns grep's patterns and options into one {@link LineFilter} whose RE2 semantics select
 * exactly the lines GNU grep 3.8 selects under {@code LC_ALL=C.UTF-8}. Patterns that cannot be
 * translated faithfully (back-references, {@code \<}, ...) are refused with a
 * {@link QuerySyntaxException} ({@link UnsupportedPatternException} when grep itself would
 * accept them), never approximated.
 *
 * <p>Plain strings stay literal {@link Match}es (so backends can push them as literal filters);
 * everything else becomes one RE2 {@link Match} per pattern, case folding as the Match's flag.
 */
public final class GrepPatterns {

    private GrepPatterns() {
    }

    /**
     * @param patterns the -e patterns (or the single positional one), in order; a pattern
     *                 containing newlines counts as several, as in grep
     */
    public static LineFilter compile(List<String> patterns, GrepOptions options) {
        Objects.requireNonNull(patterns, "patterns is null");
        Objects.requireNonNull(options, "options is null");
        List<String> split = new ArrayList<>();
        for (String pattern : patterns) {
            split.addAll(List.of(Objects.requireNonNull(pattern, "pattern is null").split("\n", -1)));
        }
        if (split.isEmpty()) {
            throw new QuerySyntaxException("grep needs a pattern: give one, or several with -e PATTERN");
        }
        boolean fixed = options.syntax() == Syntax.FIXED;
        boolean icase = options.ignoreCase();
        List<Match> matches = new ArrayList<>();
        if (fixed && !options.word() && !options.line()) {
            split.forEach(p -> matches.add(new Match(p, true, icase)));
            matches.forEach(GrepPatterns::checkRe2Accepts); // -i folds each character: RegexBudget knows which RE2J cannot
            return new LineFilter(options.invert(), matches);
        }
        List<RegexNode> nodes = new ArrayList<>();
        for (String pattern : split) {
            nodes.add(fixed ? literalNode(pattern) : parse(pattern, options));
        }
        if (options.line()) {
            nodes.forEach(n -> matches.add(regex("^(?:" + Re2Emitter.emit(n) + ")$", icase)));
        } else if (options.word()) {
            checkWordMatchingIsExact(split, nodes);
            String nonWord = Re2Emitter.nonWordClass();
            nodes.forEach(n -> matches.add(
                    regex("(?:^|" + nonWord + ")(?:" + Re2Emitter.emit(n) + ")(?:" + nonWord + "|$)", icase)));
        } else {
            for (RegexNode node : nodes) {
                matches.add(RegexFacts.literalText(node)
                        .map(text -> new Match(text, true, icase))
                        .orElseGet(() -> regex(Re2Emitter.emit(node), icase)));
            }
        }
        matches.forEach(GrepPatterns::checkRe2Accepts);
        return new LineFilter(options.invert(), matches);
    }

    private static RegexNode parse(String pattern, GrepOptions options) {
        PosixParser.Parsed parsed = PosixParser.parse(pattern, options.syntax() == Syntax.EXTENDED, options.ignoreCase());
        if (parsed.unmatchedCloseParen() && (options.word() || options.line())) {
            throw new UnsupportedPatternException("an unmatched ')' in '" + pattern + "' with -w or -x: GNU grep wraps "
                    + "the pattern in a group, which that ')' closes early; quote it as \\)");
        }
        if (RegexFacts.repeatProduct(parsed.node()) > PosixParser.RE2_MAX_REPEAT) {
            throw new UnsupportedPatternException("the nested intervals in '" + pattern + "' repeat more than "
                    + PosixParser.RE2_MAX_REPEAT + " times in total, RE2's limit; use smaller counts");
        }
        return parsed.node();
    }

    private static RegexNode literalNode(String text) {
        List<RegexNode> chars = text.codePoints().mapToObj(cp -> (RegexNode) new RegexNode.Literal(cp)).toList();
        if (chars.isEmpty()) {
            return new RegexNode.Empty();
        }
        return chars.size() == 1 ? chars.get(0) : new RegexNode.Concat(chars);
    }

    /**
     * grep -w accepts a line when some match has a non-word character (or the line's edge) on
     * each side, except that after a longer match fails it never re-checks the empty match at the
     * same place. The two readings differ only when some pattern can match empty and some match
     * can start with a non-word character; those combinations are refused.
     */
    private static void checkWordMatchingIsExact(List<String> patterns, List<RegexNode> nodes) {
        boolean anyNullable = nodes.stream().anyMatch(RegexFacts::nullable);
        boolean anyNonWordStart = nodes.stream().anyMatch(RegexFacts::mayStartWithNonWord);
        if (anyNullable && anyNonWordStart) {
            String shown = patterns.stream().map(p -> "'" + p + "'").collect(Collectors.joining(", "));
            throw new UnsupportedPatternException("-w with " + shown + " is not supported: a pattern that can match "
                    + "the empty string, together with one that can start with a non-word character, makes GNU grep's "
                    + "word test depend on its search order; make each pattern match at least one character "
                    + "(e.g. 'x+' instead of 'x*')");
        }
    }

    private static Match regex(String re2, boolean icase) {
        return new Match(re2, false, icase);
    }

    private static void checkRe2Accepts(Match match) {
        try {
            dev.aegis.afs.query.RegexBudget.compile(match.toRe2());
        } catch (PatternSyntaxException e) {
            throw new UnsupportedPatternException("RE2 cannot run this pattern (" + e.getDescription()
                    + "); simplify it, e.g. use smaller repeat counts");
        }
    }
}
