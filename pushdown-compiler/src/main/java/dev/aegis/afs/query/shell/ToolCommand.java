package dev.aegis.afs.query.shell;

import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.Stage;
import dev.aegis.afs.query.TimeRange;
import dev.aegis.afs.query.grep.GrepPatterns;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A plain {@code grep}, {@code egrep}, {@code fgrep}, {@code tail} or {@code head} run on a mounted
 * file, read from its command line: what to serve so that the tool prints, byte for byte, what
 * it would print over the whole stream. Compiled by the same code as {@code afs sh -c}.
 *
 * <p>grep gets the lines it selects, in order (it selects them again, so {@code -c -l -L -q -o -m
 * -h -H} and the matching options print what they would over the whole stream); {@code -n},
 * context and anything not understood are refused, because their output depends on lines grep
 * would no longer see. {@code tail -n N} gets the newest N lines, {@code head -n N} the oldest N.
 * {@code tail -f} / {@code -F} / {@code --follow} is a follow of the stream after the newest N.
 *
 * @param tool     grep, tail or head
 * @param operands the file operands as written (relative ones resolve against the caller's cwd)
 * @param plan     the stages that produce what the tool is served
 * @param follow   tail -f: keep serving lines as they arrive
 * @param command  the command line, for evidence
 */
public record ToolCommand(String tool, List<String> operands, LogQuery plan, boolean follow, String command) {

    public ToolCommand {
        Objects.requireNonNull(tool, "tool is null");
        operands = List.copyOf(operands);
        Objects.requireNonNull(plan, "plan is null");
        Objects.requireNonNull(command, "command is null");
    }

    /**
     * @param argv the caller's command line, argv[0] first (a path such as /usr/bin/grep is fine)
     * @throws QuerySyntaxException why this command line cannot be served pushed down
     */
    public static ToolCommand parse(List<String> argv) {
        Objects.requireNonNull(argv, "argv is null");
        if (argv.isEmpty()) {
            throw new QuerySyntaxException("no command line");
        }
        String name = argv.get(0).substring(argv.get(0).lastIndexOf('/') + 1);
        List<String> words = new ArrayList<>();
        boolean follow = false;
        String tool;
        switch (name) {
            case "grep", "egrep", "fgrep" -> {
                tool = "grep";
                words.add("grep");
                if (!name.equals("grep")) {
                    words.add(name.equals("egrep") ? "-E" : "-F");
                }
                for (String arg : argv.subList(1, argv.size())) {
                    if (!arg.startsWith("--colo") && !arg.equals("--line-buffered")) { // change no selected line
                        words.add(arg);
                    }
                }
            }
            case "tail", "head" -> {
                tool = name;
                words.add(name);
                List<String> args = argv.subList(1, argv.size());
                for (int i = 0; i < args.size(); i++) {
                    String arg = args.get(i);
                    if (name.equals("tail") && (arg.equals("-f") || arg.equals("-F") || arg.startsWith("--follow")
                            || arg.equals("--retry"))) {
                        follow = true;
                    } else if (name.equals("tail") && (arg.equals("-s") || arg.equals("--sleep-interval"))) {
                        i++; // the poll interval changes only when tail looks, not what it prints
                    } else if (name.equals("tail") && arg.startsWith("--sleep-interval=")) {
                        continue;
                    } else {
                        words.add(arg);
                    }
                }
            }
            default -> throw new QuerySyntaxException(name + " is not grep, egrep, fgrep, tail or head");
        }
        ShellCommand command = ShellQueryParser.command(words);
        List<Stage> stages = new ArrayList<>();
        List<ShellWord> operands;
        if (tool.equals("grep")) {
            GrepCommand grep = GrepCommand.parse(command);
            if (grep.lineNumbers || grep.beforeContext() >= 0 || grep.afterContext() >= 0) {
                throw new QuerySyntaxException("grep -n and context lines depend on lines grep would no longer see");
            }
            LineFilter filter = GrepPatterns.compile(grep.patterns, grep.options());
            stages.add(filter);
            if (grep.maxCount >= 0) {
                stages.add(LineLimit.oldest(grep.maxCount));
            }
            if (grep.quiet || grep.filesWithMatches != null) {
                stages.add(LineLimit.oldest(1));
            }
            operands = grep.operands;
        } else {
            LineLimitCommand limit = LineLimitCommand.parse(command);
            stages.add(limit.limit);
            operands = limit.operands;
        }
        return new ToolCommand(tool, operands.stream().map(ShellWord::text).toList(),
                new LogQuery(TimeRange.ALL, stages), follow, String.join(" ", argv));
    }
}
