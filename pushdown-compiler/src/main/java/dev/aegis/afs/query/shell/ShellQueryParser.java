package dev.aegis.afs.query.shell;

import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.grep.GrepPatterns;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Parses the shell form of a read, {@code afs sh -c '<pipeline>'} (grammar
 * {@code ShellPipeline.g4}), or one already-split command ({@code afs grep ...}), into a
 * {@link ShellQuery} whose plan gives the same bytes as bash with GNU grep, tail, head and wc.
 *
 * <p>Words are quoted as in bash: single quotes keep everything, double quotes give backslash a
 * meaning only before {@code $ ` " \} and newline, a backslash outside quotes escapes the next
 * character. Commands are joined by {@code |}. Commands: the first names the file
 * ({@code grep [OPTIONS] [-e PAT]... [PAT] FILE}, {@code cat FILE}, {@code tail [-n N] FILE},
 * {@code head [-n N] FILE}); later ones read the pipe ({@code grep}, {@code cat},
 * {@code tail -n N}, {@code head -n N}, {@code wc -l}). Options may follow operands until
 * {@code --}, as with GNU getopt.
 *
 * <p>Refused, with the column and the fix, because a real shell would do something afs sh does
 * not: {@code $} outside single quotes ({@code $VAR}, {@code $(...)}), backticks, redirections,
 * {@code ;}, newlines, {@code &}, {@code &&}, {@code ||}, parentheses, unquoted braces, a word
 * starting with {@code #} or {@code ~}, and unquoted glob characters {@code * ? [} in any word,
 * except {@code ?} in the file argument, where it starts the {@code file?terms} of a path query.
 * Options that change the output format ({@code grep -n}), several files and other commands are
 * refused too, never ignored.
 */
public final class ShellQueryParser {

    /**
     * The longest script or argv (joined by spaces) accepted, in characters: room for a file path
     * with a query at its own limit and a few commands. Bounds every message that quotes a word.
     */
    public static final int MAX_SCRIPT_LENGTH = 8192;

    private static final PipelineCompiler COMPILER = new PipelineCompiler(GrepPatterns::compile);

    private ShellQueryParser() {
    }

    /**
     * Parses a script as {@code bash -c} would read it.
     *
     * @throws QuerySyntaxException naming the column in {@code script} and the fix
     */
    public static ShellQuery parse(String script) {
        Objects.requireNonNull(script, "script is null");
        checkLength(script.codePointCount(0, script.length()));
        return COMPILER.compile(PipelineBuilder.commands(script));
    }

    /**
     * Parses one command already split into words by the caller's shell, e.g.
     * {@code ["grep", "-i", "oom", "/teams/p/prod/logs/api.log"]}. No quoting or glob rules apply.
     *
     * @throws QuerySyntaxException naming the column in the words joined by single spaces
     */
    public static ShellQuery parseArgv(List<String> argv) {
        return COMPILER.compile(List.of(command(argv)));
    }

    static ShellCommand command(List<String> argv) {
        Objects.requireNonNull(argv, "argv is null");
        if (argv.isEmpty()) {
            throw new QuerySyntaxException("empty command; write e.g. grep -i oom /teams/<team>/<env>/logs/<file>.log");
        }
        List<ShellWord> words = new ArrayList<>(argv.size());
        int column = 1;
        for (String arg : argv) {
            Objects.requireNonNull(arg, "argv holds null");
            words.add(ShellWord.literal(arg, column));
            column += arg.codePointCount(0, arg.length()) + 1;
        }
        checkLength(column - 2);
        return new ShellCommand(words);
    }

    private static void checkLength(int length) {
        if (length > MAX_SCRIPT_LENGTH) {
            throw new QuerySyntaxException("the command is " + length + " characters; the limit is "
                    + MAX_SCRIPT_LENGTH + ": shorten the patterns or the query");
        }
    }
}
