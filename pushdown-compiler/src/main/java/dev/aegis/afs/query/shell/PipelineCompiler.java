package dev.aegis.afs.query.shell;

import com.google.re2j.Pattern;
import dev.aegis.afs.query.CountLines;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.Stage;
import dev.aegis.afs.query.TimeRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns the commands of a pipeline into a {@link ShellQuery}: the first command names the file,
 * each later one reads the pipe, and each becomes zero or more stages in order.
 */
final class PipelineCompiler {

    static final String SUPPORTED = "supported: grep, cat, tail, head, wc -l";

    private static final Pattern LINES_OPTION = Pattern.compile("-l+|--lines");

    private final GrepCompiler grep;

    PipelineCompiler(GrepCompiler grep) {
        this.grep = Objects.requireNonNull(grep, "grep is null");
    }

    ShellQuery compile(List<ShellCommand> commands) {
        ShellWord file = null;
        List<Stage> stages = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            ShellCommand command = commands.get(i);
            boolean first = i == 0;
            ShellWord operand = switch (command.name()) {
                case "grep" -> grep(command, stages);
                case "tail", "head" -> lineLimit(command, stages);
                case "cat" -> cat(command);
                case "wc" -> wc(command, first, stages);
                default -> throw new QuerySyntaxException(command.name() + ": not supported in afs sh; " + SUPPORTED,
                        command.words().get(0).column());
            };
            if (first) {
                file = requireFile(command, operand);
            } else if (operand != null) {
                throw new QuerySyntaxException(command.name() + " after '|' reads the pipe; remove the file argument '"
                        + operand.text() + "'", operand.column());
            }
            command.refuseGlobs(operand);
        }
        return new ShellQuery(file.text(), new LogQuery(TimeRange.ALL, stages));
    }

    private ShellWord grep(ShellCommand command, List<Stage> stages) {
        GrepCommand parsed = GrepCommand.parse(command);
        try {
            stages.add(grep.compile(parsed.patterns, parsed.options()));
        } catch (QuerySyntaxException e) {
            if (e.column() > 0) {
                throw e;
            }
            // Point at the pattern in the script.
            QuerySyntaxException located = new QuerySyntaxException(e.getMessage(), parsed.patternColumn);
            located.initCause(e);
            throw located;
        }
        if (parsed.count) {
            stages.add(new CountLines());
        }
        return singleOperand(command, parsed.operands);
    }

    private static ShellWord lineLimit(ShellCommand command, List<Stage> stages) {
        LineLimitCommand parsed = LineLimitCommand.parse(command);
        stages.add(parsed.limit);
        return singleOperand(command, parsed.operands);
    }

    private static ShellWord cat(ShellCommand command) {
        List<ShellWord> operands = new ArrayList<>();
        Arguments args = new Arguments(command.args());
        while (args.hasNext()) {
            ShellWord arg = args.next();
            if (arg == null) {
                break;
            }
            if (args.isOption(arg)) {
                throw new QuerySyntaxException("cat " + arg.text() + ": not supported in afs sh; supported: cat FILE"
                        + " as the first command, cat after '|'", arg.column());
            }
            operands.add(arg);
        }
        return singleOperand(command, operands);
    }

    private static ShellWord wc(ShellCommand command, boolean first, List<Stage> stages) {
        if (first) {
            throw new QuerySyntaxException("wc -l FILE prints the file name after the count; write cat FILE | wc -l",
                    command.words().get(0).column());
        }
        List<ShellWord> operands = new ArrayList<>();
        boolean lines = false;
        Arguments args = new Arguments(command.args());
        while (args.hasNext()) {
            ShellWord arg = args.next();
            if (arg == null) {
                break;
            }
            if (!args.isOption(arg)) {
                operands.add(arg);
            } else if (LINES_OPTION.matcher(arg.text()).matches()) {
                lines = true;
            } else {
                throw new QuerySyntaxException("wc " + arg.text() + ": not supported in afs sh; supported: wc -l",
                        arg.column());
            }
        }
        if (!lines) {
            throw new QuerySyntaxException("wc without -l prints lines, words and bytes; supported: wc -l",
                    command.words().get(0).column());
        }
        stages.add(new CountLines());
        return singleOperand(command, operands);
    }

    private static ShellWord singleOperand(ShellCommand command, List<ShellWord> operands) {
        if (operands.size() > 1) {
            throw new QuerySyntaxException(command.name() + " with several files is not supported in afs sh"
                    + " (the output would differ from one file's); give one file", operands.get(1).column());
        }
        return operands.isEmpty() ? null : operands.get(0);
    }

    private static ShellWord requireFile(ShellCommand command, ShellWord file) {
        ShellWord name = command.words().get(0);
        if (file == null) {
            throw new QuerySyntaxException(command.name() + " is the first command, so it needs a file, e.g. "
                    + command.name() + (command.name().equals("grep") ? " oom" : "")
                    + " /teams/<team>/<env>/logs/<file>.log", name.column());
        }
        if (file.text().equals("-") || file.text().isEmpty()) {
            throw new QuerySyntaxException("'" + file.text() + "' is not a file; name the log file, e.g."
                    + " /teams/<team>/<env>/logs/<file>.log", file.column());
        }
        return file;
    }
}
