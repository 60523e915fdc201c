package dev.aegis.afs.query.shell;

import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.grep.GrepOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of one grep command: patterns, the options that select lines, {@code -c}, and the
 * operands. Only the options that change which lines are selected (or count them) are
 * supported; output options such as {@code -n} or {@code -o} are refused, never ignored.
 */
final class GrepCommand {

    static final String SUPPORTED = "supported grep options: -i -v -F -E -G -w -x -c, -e PAT (or -ePAT,"
            + " --regexp=PAT), --ignore-case --invert-match --fixed-strings --extended-regexp --basic-regexp"
            + " --word-regexp --line-regexp --count, and -- to end options";

    final List<String> patterns = new ArrayList<>();
    final List<ShellWord> operands = new ArrayList<>();
    GrepOptions.Syntax syntax;
    boolean ignoreCase;
    boolean invert;
    boolean word;
    boolean line;
    boolean count;
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
            default -> throw unsupported(name, arg);
        }
    }

    private static boolean isFlag(String name) {
        return List.of("--ignore-case", "--invert-match", "--fixed-strings", "--extended-regexp",
                "--basic-regexp", "--word-regexp", "--line-regexp", "--count").contains(name);
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
