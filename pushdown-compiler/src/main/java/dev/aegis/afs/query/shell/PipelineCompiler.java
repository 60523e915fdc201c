package dev.aegis.afs.query.shell;

import com.google.re2j.Pattern;
import dev.aegis.afs.query.CountLines;
import dev.aegis.afs.query.GrepOutput;
import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.Stage;
import dev.aegis.afs.query.TimeRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

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
        ShellQuery.ExitStatus status = ShellQuery.ExitStatus.ZERO;
        for (int i = 0; i < commands.size(); i++) {
            ShellCommand command = commands.get(i);
            boolean first = i == 0;
            boolean last = i == commands.size() - 1;
            if (last && command.name().equals("grep")) {
                status = ShellQuery.ExitStatus.GREP_SELECTED;
            }
            ShellWord operand = switch (command.name()) {
                case "grep" -> grep(command, stages, first, last);
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
        if (status == ShellQuery.ExitStatus.GREP_SELECTED && !(stages.get(stages.size() - 1) instanceof GrepOutput)) {
            status = stages.get(stages.size() - 1) instanceof CountLines
                    ? ShellQuery.ExitStatus.GREP_COUNT : ShellQuery.ExitStatus.GREP_LINES;
        }
        return new ShellQuery(file.text(), new LogQuery(TimeRange.ALL, stages), status);
    }

    /**
     * A grep whose output depends only on the lines it selects becomes a filter (and {@code -m N}
     * a head), which backends can push down, then the {@link GrepOutput} that prints them (left
     * out when it would print them unchanged and nothing needs the exit status); {@code -n} and
     * context need every line, so the whole grep is one {@link GrepOutput}.
     */
    private ShellWord grep(ShellCommand command, List<Stage> stages, boolean first, boolean last) {
        GrepCommand parsed = GrepCommand.parse(command);
        LineFilter filter;
        try {
            filter = grep.compile(parsed.patterns, parsed.options());
        } catch (QuerySyntaxException e) {
            if (e.column() > 0) {
                throw e;
            }
            // Point at the pattern in the script.
            QuerySyntaxException located = new QuerySyntaxException(e.getMessage(), parsed.patternColumn);
            located.initCause(e);
            throw located;
        }
        ShellWord operand = singleOperand(command, parsed.operands);
        String inputName = first && operand != null ? operand.text() : "(standard input)";
        Optional<String> label = Boolean.TRUE.equals(parsed.withFilename) ? Optional.of(inputName) : Optional.empty();
        GrepOutput.Mode mode = parsed.quiet ? GrepOutput.Mode.QUIET
                : parsed.filesWithMatches != null
                        ? (parsed.filesWithMatches ? GrepOutput.Mode.FILES_WITH_MATCHES : GrepOutput.Mode.FILES_WITHOUT_MATCH)
                : parsed.count ? GrepOutput.Mode.COUNT : GrepOutput.Mode.LINES;
        int before = parsed.beforeContext();
        int after = parsed.afterContext();
        boolean lines = mode == GrepOutput.Mode.LINES;
        if (parsed.onlyMatching && parsed.word && lines) {
            throw new QuerySyntaxException("grep -o -w is not supported in afs sh (grep's word test moves the match in"
                    + " ways RE2 cannot reproduce); drop -o, or write the word boundaries into the pattern",
                    command.words().get(0).column());
        }
        boolean needsEveryLine = parsed.maxCount == 0 || (lines && (parsed.lineNumbers || before >= 0 || after >= 0));
        if (needsEveryLine) {
            stages.add(new GrepOutput(Optional.of(filter), filter, mode, parsed.maxCount, parsed.onlyMatching,
                    lines && parsed.lineNumbers, lines ? before : -1, lines ? after : -1, label, inputName));
            return operand;
        }
        stages.add(filter);
        if (parsed.maxCount > 0) {
            stages.add(LineLimit.oldest(parsed.maxCount));
        }
        if (mode != GrepOutput.Mode.LINES && mode != GrepOutput.Mode.COUNT) {
            stages.add(LineLimit.oldest(1)); // one selected line decides -q, -l and -L
        }
        if (mode == GrepOutput.Mode.COUNT && label.isEmpty()) {
            stages.add(new CountLines()); // backends count without sending the lines
            return operand;
        }
        GrepOutput output = new GrepOutput(Optional.empty(), filter, mode, -1, parsed.onlyMatching && lines, false,
                -1, -1, label, inputName);
        if (!output.isPassThrough()) {
            stages.add(output); // a plain grep ends with its filter, so a window's tail is still pushed down
        }
        return operand;
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
