package dev.aegis.afs.query.shell;

import com.google.re2j.Pattern;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogQueryCompiler;
import dev.aegis.afs.query.QuerySyntaxException;
import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of {@code tail} or {@code head}: {@code -n N}, {@code -nN}, {@code --lines=N},
 * {@code --lines N} or the short form {@code -N}; 10 lines when none is given, the last one when
 * several are (as GNU). As in GNU coreutils, {@code -N} is accepted only as the first argument
 * and with no other option. The forms that count from the other end ({@code tail -n +N},
 * {@code head -n -N}) and every other option are refused.
 */
final class LineLimitCommand {

    /** The largest line count accepted, the same as for path terms. */
    private static final long MAX_LINES = LogQueryCompiler.MAX_LINES;

    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    private static final Pattern OBSOLETE_FROM_LINE = Pattern.compile("\\+[0-9].*");

    final LineLimit limit;
    final List<ShellWord> operands;

    private LineLimitCommand(LineLimit limit, List<ShellWord> operands) {
        this.limit = limit;
        this.operands = operands;
    }

    static LineLimitCommand parse(ShellCommand command) {
        boolean tail = command.name().equals("tail");
        long count = 10;
        List<ShellWord> operands = new ArrayList<>();
        if (tail && !command.args().isEmpty() && OBSOLETE_FROM_LINE.matcher(command.args().get(0).text()).matches()) {
            // GNU tail reads a first argument +N as the obsolete form of -n +N.
            count(command.name(), command.args().get(0));
        }
        Arguments args = new Arguments(command.args());
        ShellWord shortForm = null;
        while (args.hasNext()) {
            ShellWord arg = args.next();
            if (arg == null) {
                break;
            }
            String text = arg.text();
            if (!args.isOption(arg)) {
                operands.add(arg);
                continue;
            }
            boolean isShortForm = DIGITS.matcher(text.substring(1)).matches();
            if (shortForm != null || (isShortForm && arg != command.args().get(0))) {
                ShellWord misplaced = shortForm != null ? shortForm : arg;
                throw new QuerySyntaxException(command.name() + " " + misplaced.text() + ": the short form -N must be"
                        + " the first and only option; write " + command.name() + " -n "
                        + misplaced.text().substring(1), misplaced.column());
            }
            if (isShortForm) {
                shortForm = arg;
                count = count(command.name(), arg, text.substring(1));
            } else if (text.equals("-n") || text.equals("--lines")) {
                count = count(command.name(), args.valueOf(command.name() + " " + text, arg, command.name() + " -n 50"));
            } else if (text.startsWith("--lines=")) {
                count = count(command.name(), arg, text.substring("--lines=".length()));
            } else if (text.startsWith("-n")) {
                count = count(command.name(), arg, text.substring(2));
            } else {
                throw new QuerySyntaxException(command.name() + " " + optionName(text) + ": not supported in afs sh;"
                        + " supported: " + command.name() + " -n N, " + command.name() + " -N, " + command.name()
                        + " --lines=N", arg.column());
            }
        }
        return new LineLimitCommand(tail ? LineLimit.newest(count) : LineLimit.oldest(count), operands);
    }

    private static String optionName(String text) {
        int eq = text.indexOf('=');
        return text.startsWith("--") ? (eq < 0 ? text : text.substring(0, eq)) : text.substring(0, 2);
    }

    private static long count(String command, ShellWord word) {
        return count(command, word, word.text());
    }

    private static long count(String command, ShellWord word, String value) {
        String digits = value;
        if (value.startsWith("+")) {
            if (command.equals("tail")) {
                throw new QuerySyntaxException("tail -n +N (from line N on) is not supported in afs sh; supported:"
                        + " tail -n N, the newest N lines", word.column());
            }
            digits = value.substring(1);
        } else if (value.startsWith("-")) {
            if (command.equals("head")) {
                throw new QuerySyntaxException("head -n -N (all but the newest N lines) is not supported in afs sh;"
                        + " supported: head -n N, the oldest N lines", word.column());
            }
            digits = value.substring(1); // tail -n -5 is tail -n 5
        }
        if (!DIGITS.matcher(digits).matches() || digits.length() > 9 || Long.parseLong(digits) > MAX_LINES) {
            throw new QuerySyntaxException(command + ": '" + value + "' is not a line count; write a whole number"
                    + " from 0 to " + MAX_LINES + " (size suffixes such as k are not supported)", word.column());
        }
        return Long.parseLong(digits);
    }
}
