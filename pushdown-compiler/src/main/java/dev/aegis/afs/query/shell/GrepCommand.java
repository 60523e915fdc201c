package dev.aegis.afs.query.shell;

import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.grep.GrepOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of one grep command: patterns, the options that select lines, the output
 * options GNU grep 3.8 has for one input ({@code -c -q -s -l -L -m -o -n -h -H -A -B -C}), and the
 * operands. Every other option ({@code -b}, {@code -z}, {@code -r}, ...) is refused, never ignored.
 */
final class GrepCommand {

    static final String SUPPORTED = "supported grep options: -i -v -F -E -G -w -x -c -q -s -l -L -o -n -h -H,"
            + " -m N, -A N, -B N, -C N, -e PAT (or -ePAT, --regexp=PAT), their long forms (--ignore-case,"
            + " --max-count=N, --context=N, ...), and -- to end options";

    final List<String> patterns = new ArrayList<>();
    final List<ShellWord> operands = new ArrayList<>();
    GrepOptions.Syntax syntax;
    boolean ignoreCase;
    boolean invert;
    boolean word;
    boolean line;
    boolean count;
    boolean quiet;
    boolean noMessages;
    /** -l or -L, whichever came last; null for neither. */
    Boolean filesWithMatches;
    long maxCount = -1;
    boolean onlyMatching;
    boolean lineNumbers;
    /** -H (true) or -h (false), whichever came last; null for neither. */
    Boolean withFilename;
    int after = -1;
    int before = -1;
    int context = -1;
    /** The column of the word holding the first pattern. */
    int patternColumn;
    private boolean patternsGiven;

    private GrepCommand() {
    }

    static GrepCommand parse(ShellCommand command) {
        GrepCommand grep = new GrepCommand();
        Arguments args = new Arguments(command.args());
        while (args.hasNext()) {
            ShellWord arg = args.next();
            if (arg == null) {
                break;
            }
            if (!args.isOption(arg)) {
                grep.operands.add(arg);
            } else if (arg.text().startsWith("--")) {
                grep.longOption(arg, args);
            } else {
                grep.shortOptions(arg, args);
            }
        }
        if (!grep.patternsGiven) {
            if (grep.operands.isEmpty()) {
                throw new QuerySyntaxException("grep needs a pattern, e.g. grep -i oom FILE",
                        command.words().get(0).column());
            }
            ShellWord pattern = grep.operands.remove(0);
            grep.pattern(pattern.text(), pattern);
        }
        return grep;
    }

    GrepOptions options() {
        return new GrepOptions(syntax == null ? GrepOptions.Syntax.BASIC : syntax, ignoreCase, invert, word, line);
    }

    private void longOption(ShellWord arg, Arguments args) {
        String text = arg.text();
        int eq = text.indexOf('=');
        String name = eq < 0 ? text : text.substring(0, eq);
        if (name.equals("--regexp")) {
            if (eq < 0) {
                ShellWord value = args.valueOf("--regexp", arg, "--regexp=oom");
                pattern(value.text(), value);
            } else {
                pattern(text.substring(eq + 1), arg);
            }
            return;
        }
        switch (name) {
            case "--max-count" -> {
                maxCount = number(name, eq < 0 ? args.valueOf(name, arg, name + "=5").text() : text.substring(eq + 1), arg);
                return;
            }
            case "--after-context", "--before-context", "--context" -> {
                int n = (int) number(name, eq < 0 ? args.valueOf(name, arg, name + "=3").text() : text.substring(eq + 1), arg);
                context(name.charAt(2), n);
                return;
            }
            default -> { }
        }
        if (eq >= 0 && isFlag(name)) {
            throw new QuerySyntaxException("grep " + name + " takes no value; write " + name, arg.column());
        }
        switch (name) {
            case "--ignore-case" -> ignoreCase = true;
            case "--invert-match" -> invert = true;
            case "--fixed-strings" -> syntax(GrepOptions.Syntax.FIXED, arg);
            case "--extended-regexp" -> syntax(GrepOptions.Syntax.EXTENDED, arg);
            case "--basic-regexp" -> syntax(GrepOptions.Syntax.BASIC, arg);
            case "--word-regexp" -> word = true;
            case "--line-regexp" -> line = true;
            case "--count" -> count = true;
            case "--quiet", "--silent" -> quiet = true;
            case "--no-messages" -> noMessages = true;
            case "--files-with-matches" -> filesWithMatches = true;
            case "--files-without-match" -> filesWithMatches = false;
            case "--only-matching" -> onlyMatching = true;
            case "--line-number" -> lineNumbers = true;
            case "--with-filename" -> withFilename = true;
            case "--no-filename" -> withFilename = false;
            default -> throw unsupported(name, arg);
        }
    }

    private static boolean isFlag(String name) {
        return List.of("--ignore-case", "--invert-match", "--fixed-strings", "--extended-regexp",
                "--basic-regexp", "--word-regexp", "--line-regexp", "--count", "--quiet", "--silent", "--no-messages",
                "--files-with-matches", "--files-without-match", "--only-matching", "--line-number",
                "--with-filename", "--no-filename").contains(name);
    }

    private void shortOptions(ShellWord arg, Arguments args) {
        String text = arg.text();
        for (int i = 1; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case 'i' -> ignoreCase = true;
                case 'v' -> invert = true;
                case 'F' -> syntax(GrepOptions.Syntax.FIXED, arg);
                case 'E' -> syntax(GrepOptions.Syntax.EXTENDED, arg);
                case 'G' -> syntax(GrepOptions.Syntax.BASIC, arg);
                case 'w' -> word = true;
                case 'x' -> line = true;
                case 'c' -> count = true;
                case 'q' -> quiet = true;
                case 's' -> noMessages = true;
                case 'l' -> filesWithMatches = true;
                case 'L' -> filesWithMatches = false;
                case 'o' -> onlyMatching = true;
                case 'n' -> lineNumbers = true;
                case 'H' -> withFilename = true;
                case 'h' -> withFilename = false;
                case 'm', 'A', 'B', 'C' -> {
                    String value = i + 1 < text.length() ? text.substring(i + 1)
                            : args.valueOf("grep -" + c, arg, "-" + c + " 3").text();
                    long n = number("-" + c, value, arg);
                    if (c == 'm') {
                        maxCount = n;
                    } else {
                        context(c, (int) n);
                    }
                    return;
                }
                case 'e' -> {
                    if (i + 1 < text.length()) {
                        pattern(text.substring(i + 1), arg);
                    } else {
                        ShellWord value = args.valueOf("grep -e", arg, "-e oom");
                        pattern(value.text(), value);
                    }
                    return;
                }
                default -> throw unsupported("-" + c, arg);
            }
        }
    }

    private void context(char which, int n) {
        switch (which) {
            case 'A', 'a' -> after = n;
            case 'B', 'b' -> before = n;
            default -> context = n;
        }
    }

    /** -A, -1 when no context option was given: explicit -A wins over -C, whatever the order (as GNU). */
    int afterContext() {
        return after >= 0 ? after : context;
    }

    int beforeContext() {
        return before >= 0 ? before : context;
    }

    private static long number(String option, String value, ShellWord arg) {
        if (!value.matches("[0-9]{1,9}")) {
            throw new QuerySyntaxException("grep " + option + ": '" + value + "' is not a number; write a whole number,"
                    + " e.g. " + option + (option.startsWith("--") ? "=" : " ") + "5", arg.column());
        }
        return Long.parseLong(value);
    }

    private void pattern(String pattern, ShellWord word) {
        if (patterns.isEmpty()) {
            patternColumn = word.column();
        }
        patterns.add(pattern);
        patternsGiven = true;
    }

    private void syntax(GrepOptions.Syntax chosen, ShellWord arg) {
        if (syntax != null && syntax != chosen) {
            throw new QuerySyntaxException("grep: conflicting matchers specified (" + flag(syntax) + " and "
                    + flag(chosen) + "); use one of -E, -F, -G", arg.column());
        }
        syntax = chosen;
    }

    private static String flag(GrepOptions.Syntax syntax) {
        return switch (syntax) {
            case BASIC -> "-G";
            case EXTENDED -> "-E";
            case FIXED -> "-F";
        };
    }

    private static QuerySyntaxException unsupported(String option, ShellWord arg) {
        return new QuerySyntaxException("grep " + option + ": not supported in afs sh; " + SUPPORTED, arg.column());
    }
}
