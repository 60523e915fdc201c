package dev.aegis.afs.query.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.Match;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.grep.GrepOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden tests of the shell form: script in, exact file, plan and grep arguments out, or the
 * exact error. grep's patterns go to a recording stand-in for {@code GrepPatterns.compile}, so
 * these tests pin down what the parser passes, not how grep's syntax is translated.
 */
class ShellQueryParserTest {

    private static final String LOGS = "/teams/<team>/<env>/logs/<file>.log";

    /** Renders what one grep command asked for: patterns, then syntax and the flags set. */
    private final List<String> grepCalls = new ArrayList<>();

    private final PipelineCompiler compiler = new PipelineCompiler((patterns, options) -> {
        grepCalls.add(patterns + " " + options.syntax() + flags(options));
        return new LineFilter(options.invert(), patterns.stream()
                .map(p -> new Match(p, options.syntax() == GrepOptions.Syntax.FIXED, options.ignoreCase()))
                .toList());
    });

    private static String flags(GrepOptions o) {
        return (o.ignoreCase() ? " -i" : "") + (o.invert() ? " -v" : "") + (o.word() ? " -w" : "")
                + (o.line() ? " -x" : "");
    }

    private String parse(String script) {
        ShellQuery query = compiler.compile(PipelineBuilder.commands(script));
        return query.path() + " :: " + query.query() + (grepCalls.isEmpty() ? "" : " :: " + String.join(" ; ", grepCalls));
    }

    static Stream<Arguments> pipelines() {
        return Stream.of(
                Arguments.of("grep -i oom /teams/p/prod/logs/api.log",
                        "/teams/p/prod/logs/api.log :: grep -i -e 'oom' :: [oom] BASIC -i"),
                Arguments.of("cat f", "f :: cat"),
                Arguments.of("  cat\tf  ", "f :: cat"),
                // grep -c and grep | wc -l are the same plan
                Arguments.of("grep -c x f", "f :: grep -e 'x' | wc -l :: [x] BASIC"),
                Arguments.of("grep x f | wc -l", "f :: grep -e 'x' | wc -l :: [x] BASIC"),
                Arguments.of("grep -ic x f", "f :: grep -i -e 'x' | wc -l :: [x] BASIC -i"),
                Arguments.of("grep --count x f | wc -l", "f :: grep -e 'x' | wc -l | wc -l :: [x] BASIC"),
                // several -e are one filter (OR)
                Arguments.of("grep -e a -e b f", "f :: grep -e 'a' -e 'b' :: [a, b] BASIC"),
                Arguments.of("grep -iv -e a -eb f", "f :: grep -v -i -e 'a' -i -e 'b' :: [a, b] BASIC -i -v"),
                Arguments.of("grep --regexp=a --regexp b f", "f :: grep -e 'a' -e 'b' :: [a, b] BASIC"),
                Arguments.of("grep --ignore-case --invert-match --word-regexp --line-regexp x f",
                        "f :: grep -v -i -e 'x' :: [x] BASIC -i -v -w -x"),
                Arguments.of("grep -wx x f", "f :: grep -e 'x' :: [x] BASIC -w -x"),
                Arguments.of("grep -E 'a|b' f", "f :: grep -e 'a|b' :: [a|b] EXTENDED"),
                Arguments.of("grep --extended-regexp -E x f", "f :: grep -e 'x' :: [x] EXTENDED"),
                Arguments.of("grep -G --basic-regexp x f", "f :: grep -e 'x' :: [x] BASIC"),
                Arguments.of("grep -F --fixed-strings 'a.b' f", "f :: grep -F -e 'a.b' :: [a.b] FIXED"),
                // options may follow operands, as with GNU getopt; -- ends them
                Arguments.of("grep x f -i", "f :: grep -i -e 'x' :: [x] BASIC -i"),
                Arguments.of("grep -F -- -v f", "f :: grep -F -e '-v' :: [-v] FIXED"),
                Arguments.of("grep -e -v f", "f :: grep -e '-v' :: [-v] BASIC"),
                Arguments.of("grep -- x -- ", "-- :: grep -e 'x' :: [x] BASIC"),
                Arguments.of("grep -e x -- -f", "-f :: grep -e 'x' :: [x] BASIC"),
                Arguments.of("cat f | grep -v healthz | tail -n 50 | head -n 10",
                        "f :: grep -v -e 'healthz' | tail -n 50 | head -n 10 :: [healthz] BASIC -v"),
                Arguments.of("grep a f | grep -F b | grep -c c",
                        "f :: grep -e 'a' | grep -F -e 'b' | grep -e 'c' | wc -l :: [a] BASIC ; [b] FIXED ; [c] BASIC"),
                // tail and head
                Arguments.of("tail f", "f :: tail -n 10"),
                Arguments.of("head f", "f :: head -n 10"),
                Arguments.of("tail -n 5 f", "f :: tail -n 5"),
                Arguments.of("tail -n5 f", "f :: tail -n 5"),
                Arguments.of("tail -5 f", "f :: tail -n 5"),
                Arguments.of("tail --lines=5 f", "f :: tail -n 5"),
                Arguments.of("tail --lines 5 f", "f :: tail -n 5"),
                Arguments.of("tail f -n 5", "f :: tail -n 5"),
                Arguments.of("tail -n 5 -n 7 f", "f :: tail -n 7"),
                Arguments.of("tail -n -5 f", "f :: tail -n 5"),
                Arguments.of("head -n +5 f", "f :: head -n 5"),
                Arguments.of("head -n 0 f", "f :: head -n 0"),
                Arguments.of("tail -n 0 f", "f :: tail -n 0"),
                Arguments.of("tail -n 007 f", "f :: tail -n 7"),
                Arguments.of("head -2 -- f", "f :: head -n 2"),
                Arguments.of("head -n 10000000 f", "f :: head -n 10000000"),
                Arguments.of("cat f | tail | head", "f :: tail -n 10 | head -n 10"),
                Arguments.of("head -n 20 f | tail -3 | wc -l", "f :: head -n 20 | tail -n 3 | wc -l"),
                Arguments.of("cat f | cat | wc --lines", "f :: wc -l"),
                Arguments.of("cat f|wc -l", "f :: wc -l"),
                // quoting as bash does
                Arguments.of("grep 'a b' f", "f :: grep -e 'a b' :: [a b] BASIC"),
                Arguments.of("grep a\\ b f", "f :: grep -e 'a b' :: [a b] BASIC"),
                Arguments.of("grep 'it'\\''s' f", "f :: grep -e 'it's' :: [it's] BASIC"),
                Arguments.of("grep \"a\\\"b\" f", "f :: grep -e 'a\"b' :: [a\"b] BASIC"),
                Arguments.of("grep \"a\\\\b\" f", "f :: grep -e 'a\\b' :: [a\\b] BASIC"),
                Arguments.of("grep \"a\\$b\\`c\" f", "f :: grep -e 'a$b`c' :: [a$b`c] BASIC"),
                // before other characters a backslash in double quotes stays
                Arguments.of("grep \"a\\.b\\n\" f", "f :: grep -e 'a\\.b\\n' :: [a\\.b\\n] BASIC"),
                Arguments.of("grep a\\.b f", "f :: grep -e 'a.b' :: [a.b] BASIC"),
                Arguments.of("grep '' f", "f :: grep -e '' :: [] BASIC"),
                Arguments.of("grep \"\" f", "f :: grep -e '' :: [] BASIC"),
                Arguments.of("grep '$x \"y\" \\z' f", "f :: grep -e '$x \"y\" \\z' :: [$x \"y\" \\z] BASIC"),
                Arguments.of("grep 'a*' f", "f :: grep -e 'a*' :: [a*] BASIC"),
                Arguments.of("grep \"a*[0-9]?\" f", "f :: grep -e 'a*[0-9]?' :: [a*[0-9]?] BASIC"),
                Arguments.of("grep \\* f", "f :: grep -e '*' :: [*] BASIC"),
                Arguments.of("grep -F '|;&<>()' f", "f :: grep -F -e '|;&<>()' :: [|;&<>()] FIXED"),
                Arguments.of("grep 'a\nb' f", "f :: grep -e 'a\nb' :: [a\nb] BASIC"),
                Arguments.of("grep x 'my file.log'", "my file.log :: grep -e 'x' :: [x] BASIC"),
                Arguments.of("cat a\\\nb", "ab :: cat"),
                // a carriage return is an ordinary character to bash
                Arguments.of("cat a\rb", "a\rb :: cat"),
                Arguments.of("cat \\\n f", "f :: cat"),
                Arguments.of("grep a#b f", "f :: grep -e 'a#b' :: [a#b] BASIC"),
                Arguments.of("grep a~ f", "f :: grep -e 'a~' :: [a~] BASIC"),
                // a path query stays in the path; '?' is allowed unquoted in the file argument only
                Arguments.of("tail -n 5 'api.log?since=1h&grep=x'", "api.log?since=1h&grep=x :: tail -n 5"),
                Arguments.of("cat api.log?tail=5 | wc -l", "api.log?tail=5 :: wc -l"),
                Arguments.of("cat \"/teams/p/prod/logs/api.log?grep=a|b\"", "/teams/p/prod/logs/api.log?grep=a|b :: cat"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource
    void pipelines(String script, String expected) {
        assertEquals(expected, parse(script));
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                // hostile or shell-only input
                Arguments.of("$(rm -rf /)", "column 1: '$' starts a shell expansion ($VAR, $(...)), which afs sh does"
                        + " not perform; write the text itself, in single quotes if it contains '$', e.g. 'error$'"),
                Arguments.of("grep x f | sh -c \"$(rm -rf /)\"", "column 19: '$' starts a shell expansion ($VAR,"
                        + " $(...)), which afs sh does not perform; write the text itself, in single quotes if it"
                        + " contains '$', e.g. 'error$'"),
                Arguments.of("grep $USER f", "column 6: '$' starts a shell expansion ($VAR, $(...)), which afs sh does"
                        + " not perform; write the text itself, in single quotes if it contains '$', e.g. 'error$'"),
                Arguments.of("grep error$ f", "column 11: '$' starts a shell expansion ($VAR, $(...)), which afs sh"
                        + " does not perform; write the text itself, in single quotes if it contains '$', e.g. 'error$'"),
                Arguments.of("grep `id` f", "column 6: '`' starts a command substitution, which afs sh does not"
                        + " perform; write the text itself, in single quotes if it contains '`'"),
                Arguments.of("grep \"`id`\" f", "column 7: '`' starts a command substitution, which afs sh does not"
                        + " perform; write the text itself, in single quotes if it contains '`'"),
                Arguments.of("cat f; rm -rf /", "column 6: ';' runs commands one after another, which afs sh does not"
                        + " do; write one pipeline joined by '|'"),
                Arguments.of("cat f\nrm x", "column 6: a newline runs commands one after another, which afs sh does"
                        + " not do; write one pipeline joined by '|'"),
                Arguments.of("cat f && rm x", "column 7: '&&' runs commands depending on each other's exit status,"
                        + " which afs sh does not do; write one pipeline joined by '|'"),
                Arguments.of("cat f || rm x", "column 7: '||' runs commands depending on each other's exit status,"
                        + " which afs sh does not do; write one pipeline joined by '|'"),
                Arguments.of("cat f &", "column 7: '&' runs a command in the background, which afs sh does not do; if"
                        + " it is part of file?terms, quote the path, e.g. 'api.log?since=1h&tail=50'"),
                Arguments.of("cat api.log?since=1h&tail=5", "column 21: '&' runs a command in the background, which"
                        + " afs sh does not do; if it is part of file?terms, quote the path, e.g."
                        + " 'api.log?since=1h&tail=50'"),
                Arguments.of("cat f > /etc/passwd", "column 7: redirection '>' is not supported: afs sh reads one file"
                        + " named as the first command's argument and never writes; e.g. grep oom FILE | wc -l"),
                Arguments.of("cat f >> g", "column 7: redirection '>>' is not supported: afs sh reads one file named"
                        + " as the first command's argument and never writes; e.g. grep oom FILE | wc -l"),
                Arguments.of("wc -l < f", "column 7: redirection '<' is not supported: afs sh reads one file named as"
                        + " the first command's argument and never writes; e.g. grep oom FILE | wc -l"),
                Arguments.of("grep x f 2>&1", "column 11: redirection '>&' is not supported: afs sh reads one file"
                        + " named as the first command's argument and never writes; e.g. grep oom FILE | wc -l"),
                Arguments.of("(cat f)", "column 1: '(' starts or ends a subshell, which afs sh does not run; write one"
                        + " pipeline joined by '|', and quote a '(' that belongs to a pattern"),
                Arguments.of("grep -E (a|b) f", "column 9: '(' starts or ends a subshell, which afs sh does not run;"
                        + " write one pipeline joined by '|', and quote a '(' that belongs to a pattern"),
                Arguments.of("cat {a,b}.log", "column 5: unquoted '{' may be expanded by a shell (brace expansion);"
                        + " quote the word, e.g. 'a{2}'"),
                Arguments.of("cat ~/x.log", "column 5: '~' at the start of a word is expanded by a shell to a home"
                        + " directory; write the full path, or quote it"),
                Arguments.of("cat f #note", "column 7: '#' at the start of a word starts a comment in a shell; quote"
                        + " it, e.g. '#note'"),
                Arguments.of("cat f\\", "column 6: a backslash at the end escapes nothing; remove it, or write '\\'"
                        + " for a literal backslash"),
                // globs
                Arguments.of("grep oom *.log", "column 10: unquoted '*' in a file name would be expanded by a shell as"
                        + " a file glob; quote the word, e.g. '*.log'"),
                Arguments.of("grep x api.log?grep=a*", "column 22: unquoted '*' in a file name would be expanded by a"
                        + " shell as a file glob; quote the word, e.g. 'api.log?grep=a*'"),
                Arguments.of("grep x [ab].log", "column 8: unquoted '[' in a file name would be expanded by a shell as"
                        + " a file glob; quote the word, e.g. '[ab].log'"),
                Arguments.of("grep oo* f", "column 8: unquoted '*' would be expanded by a shell as a file glob; quote"
                        + " the word, e.g. 'oo*'"),
                Arguments.of("grep a? f", "column 7: unquoted '?' would be expanded by a shell as a file glob; quote"
                        + " the word, e.g. 'a?'"),
                Arguments.of("cat f | grep -e [0-9]", "column 17: unquoted '[' would be expanded by a shell as a file"
                        + " glob; quote the word, e.g. '[0-9]'"),
                // unbalanced quotes and empty commands
                Arguments.of("grep 'oom f", "column 6: unbalanced single quote: the ' here is never closed; add the"
                        + " closing '"),
                Arguments.of("grep \"oom f", "column 6: unbalanced double quote: the \" here is never closed; add the"
                        + " closing \""),
                Arguments.of("grep \"oom\\\" f", "column 6: unbalanced double quote: the \" here is never closed; add"
                        + " the closing \""),
                Arguments.of("grep x 'f'\"", "column 11: unbalanced double quote: the \" here is never closed; add the"
                        + " closing \""),
                Arguments.of("", "column 1: empty command; write e.g. grep -i oom " + LOGS),
                Arguments.of("   ", "column 4: empty command; write e.g. grep -i oom " + LOGS),
                Arguments.of("| wc -l", "column 1: empty command before '|'; write a command on each side of '|'"),
                Arguments.of("cat f | | wc -l", "column 9: empty command before '|'; write a command on each side of"
                        + " '|'"),
                Arguments.of("cat f | ", "column 9: the pipeline ends with '|'; add the command that reads it, e.g. |"
                        + " wc -l"),
                // commands
                Arguments.of("sed s/a/b/ f", "column 1: sed: not supported in afs sh; supported: grep, cat, tail,"
                        + " head, wc -l"),
                Arguments.of("cat f | sort", "column 9: sort: not supported in afs sh; supported: grep, cat, tail,"
                        + " head, wc -l"),
                Arguments.of("cat f | xargs rm", "column 9: xargs: not supported in afs sh; supported: grep, cat, tail,"
                        + " head, wc -l"),
                Arguments.of("FOO=1 cat f", "column 1: FOO=1: not supported in afs sh; supported: grep, cat, tail,"
                        + " head, wc -l"),
                Arguments.of("wc -l f", "column 1: wc -l FILE prints the file name after the count; write cat FILE |"
                        + " wc -l"),
                Arguments.of("grep x", "column 1: grep is the first command, so it needs a file, e.g. grep oom " + LOGS),
                Arguments.of("tail -n 5", "column 1: tail is the first command, so it needs a file, e.g. tail " + LOGS),
                Arguments.of("grep", "column 1: grep needs a pattern, e.g. grep -i oom FILE"),
                Arguments.of("grep -i", "column 1: grep needs a pattern, e.g. grep -i oom FILE"),
                Arguments.of("cat -", "column 5: '-' is not a file; name the log file, e.g. " + LOGS),
                Arguments.of("cat ''", "column 5: '' is not a file; name the log file, e.g. " + LOGS),
                Arguments.of("grep x a b", "column 10: grep with several files is not supported in afs sh (the output"
                        + " would differ from one file's); give one file"),
                Arguments.of("cat a b", "column 7: cat with several files is not supported in afs sh (the output would"
                        + " differ from one file's); give one file"),
                Arguments.of("cat f | grep x g", "column 16: grep after '|' reads the pipe; remove the file argument"
                        + " 'g'"),
                Arguments.of("cat f | tail -n 5 g", "column 19: tail after '|' reads the pipe; remove the file argument"
                        + " 'g'"),
                Arguments.of("cat f | cat g", "column 13: cat after '|' reads the pipe; remove the file argument 'g'"),
                Arguments.of("cat f | wc -l g", "column 15: wc after '|' reads the pipe; remove the file argument 'g'"),
                Arguments.of("cat -n f", "column 5: cat -n: not supported in afs sh; supported: cat FILE as the first"
                        + " command, cat after '|'"),
                // grep options
                Arguments.of("grep -3 x f", "column 6: grep -3: not supported in afs sh; " + GrepCommand.SUPPORTED),
                Arguments.of("grep -r x f", "column 6: grep -r: not supported in afs sh; " + GrepCommand.SUPPORTED),
                Arguments.of("grep -P x f", "column 6: grep -P: not supported in afs sh; " + GrepCommand.SUPPORTED),
                Arguments.of("grep -b x f", "column 6: grep -b: not supported in afs sh; " + GrepCommand.SUPPORTED),
                Arguments.of("grep -z x f", "column 6: grep -z: not supported in afs sh; " + GrepCommand.SUPPORTED),
                Arguments.of("grep -ow x f", "column 1: grep -o -w is not supported in afs sh (grep's word test moves"
                        + " the match in ways RE2 cannot reproduce); drop -o, or write the word boundaries into the"
                        + " pattern"),
                Arguments.of("grep -m x y f", "column 6: grep -m: 'x' is not a number; write a whole number, e.g."
                        + " -m 5"),
                Arguments.of("grep --ignore x f", "column 6: grep --ignore: not supported in afs sh; "
                        + GrepCommand.SUPPORTED),
                Arguments.of("grep --count=2 x f", "column 6: grep --count takes no value; write --count"),
                Arguments.of("grep -e", "column 6: grep -e needs a value, e.g. -e oom"),
                Arguments.of("grep x f --regexp", "column 10: --regexp needs a value, e.g. --regexp=oom"),
                Arguments.of("grep -E -F x f", "column 9: grep: conflicting matchers specified (-E and -F); use one of"
                        + " -E, -F, -G"),
                Arguments.of("grep -FG x f", "column 6: grep: conflicting matchers specified (-F and -G); use one of"
                        + " -E, -F, -G"),
                // tail, head, wc
                Arguments.of("tail -n +5 f", "column 9: tail -n +N (from line N on) is not supported in afs sh;"
                        + " supported: tail -n N, the newest N lines"),
                Arguments.of("tail +5 f", "column 6: tail -n +N (from line N on) is not supported in afs sh; supported:"
                        + " tail -n N, the newest N lines"),
                Arguments.of("cat f | head -n -5", "column 17: head -n -N (all but the newest N lines) is not supported"
                        + " in afs sh; supported: head -n N, the oldest N lines"),
                Arguments.of("head --lines=-1 f", "column 6: head -n -N (all but the newest N lines) is not supported"
                        + " in afs sh; supported: head -n N, the oldest N lines"),
                Arguments.of("tail -n 5k f", "column 9: tail: '5k' is not a line count; write a whole number from 0 to"
                        + " 10000000 (size suffixes such as k are not supported)"),
                Arguments.of("head -n 10000001 f", "column 9: head: '10000001' is not a line count; write a whole"
                        + " number from 0 to 10000000 (size suffixes such as k are not supported)"),
                Arguments.of("head -n '' f", "column 9: head: '' is not a line count; write a whole number from 0 to"
                        + " 10000000 (size suffixes such as k are not supported)"),
                Arguments.of("tail -n", "column 6: tail -n needs a value, e.g. tail -n 50"),
                Arguments.of("tail f -2", "column 8: tail -2: the short form -N must be the first and only option;"
                        + " write tail -n 2"),
                Arguments.of("head -2 -n 1 f", "column 6: head -2: the short form -N must be the first and only"
                        + " option; write head -n 2"),
                Arguments.of("tail -f f", "column 6: tail -f: not supported in afs sh; supported: tail -n N, tail -N,"
                        + " tail --lines=N"),
                Arguments.of("tail -c 5 f", "column 6: tail -c: not supported in afs sh; supported: tail -n N, tail"
                        + " -N, tail --lines=N"),
                Arguments.of("head --bytes=5 f", "column 6: head --bytes: not supported in afs sh; supported: head -n N,"
                        + " head -N, head --lines=N"),
                Arguments.of("cat f | wc", "column 9: wc without -l prints lines, words and bytes; supported: wc -l"),
                Arguments.of("cat f | wc -c", "column 12: wc -c: not supported in afs sh; supported: wc -l"),
                Arguments.of("cat f | wc -lw", "column 12: wc -lw: not supported in afs sh; supported: wc -l"));
    }

    @ParameterizedTest(name = "[{index}] {0}|")
    @MethodSource
    void errors(String script, String message) {
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class,
                () -> compiler.compile(PipelineBuilder.commands(script)));
        assertEquals(message, e.getMessage());
    }

    @Test
    void hostileLongScriptIsParsedWithoutTrouble() {
        String pattern = "a".repeat(5000);
        assertEquals("f :: grep -F -e '" + pattern + "' :: [" + pattern + "] FIXED",
                parse("grep -F '" + pattern + "' f"));
    }

    @Test
    void argvIsTakenAsWordsWithoutShellRules() {
        ShellQuery query = compiler.compile(List.of(ShellQueryParser.command(
                List.of("grep", "-i", "o*m?", "/teams/p/prod/logs/api log?tail=5&x=$(y)"))));
        assertEquals("/teams/p/prod/logs/api log?tail=5&x=$(y)", query.path());
        assertEquals("grep -i -e 'o*m?'", query.query().toString());
        assertEquals(List.of("[o*m?] BASIC -i"), grepCalls);
    }

    static Stream<Arguments> argvErrors() {
        return Stream.of(
                Arguments.of(List.of(), "empty command; write e.g. grep -i oom " + LOGS),
                Arguments.of(List.of("grep", "-b", "x", "f"),
                        "column 6: grep -b: not supported in afs sh; " + GrepCommand.SUPPORTED),
                Arguments.of(List.of("sed", "x", "f"),
                        "column 1: sed: not supported in afs sh; supported: grep, cat, tail, head, wc -l"),
                Arguments.of(List.of("grep", "x", "f", "|", "wc"), "column 10: grep with several files is not"
                        + " supported in afs sh (the output would differ from one file's); give one file"),
                Arguments.of(List.of("tail", "-n", "+1", "f"), "column 9: tail -n +N (from line N on) is not supported"
                        + " in afs sh; supported: tail -n N, the newest N lines"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource
    void argvErrors(List<String> argv, String message) {
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class,
                () -> compiler.compile(List.of(ShellQueryParser.command(argv))));
        assertEquals(message, e.getMessage());
    }

    @Test
    void argvWithoutGrepNeedsNoGrepCompiler() {
        ShellQuery query = ShellQueryParser.parseArgv(List.of("tail", "-n", "50", "/teams/p/prod/logs/api.log"));
        assertEquals(new ShellQuery("/teams/p/prod/logs/api.log",
                dev.aegis.afs.query.LogQuery.of(dev.aegis.afs.query.LineLimit.newest(50))), query);
    }

    @Test
    void publicParseOfACatPipelineHasNoGrep() {
        ShellQuery query = ShellQueryParser.parse("head -n 20 /teams/p/prod/logs/api.log | tail -n 3 | wc -l");
        assertEquals("/teams/p/prod/logs/api.log", query.path());
        assertEquals("head -n 20 | tail -n 3 | wc -l", query.query().toString());
    }

    @Test
    void errorsCarryTheirColumn() {
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class, () -> ShellQueryParser.parse("cat f; x"));
        assertEquals(6, e.column());
    }

    @Test
    void nothingReachesStandardError() {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            for (String bad : List.of("'", "\"", "|", "", "a |", "a | | b", "\"$", "a\\", "cat '\"", "cat \"'")) {
                assertThrows(QuerySyntaxException.class, () -> ShellQueryParser.parse(bad));
            }
        } finally {
            System.setErr(original);
        }
        assertEquals("", captured.toString(StandardCharsets.UTF_8));
    }

    @Test
    void grepErrorsWithoutAColumnPointAtThePattern() {
        PipelineCompiler refusing = new PipelineCompiler((patterns, options) -> {
            throw new QuerySyntaxException("back-references are not supported: " + patterns.get(0));
        });
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class,
                () -> refusing.compile(PipelineBuilder.commands("cat f | grep -i -e '\\(a\\)\\1' -e b")));
        assertEquals("column 20: back-references are not supported: \\(a\\)\\1", e.getMessage());
        assertEquals(20, e.column());
    }

    @Test
    void grepReceivesThePatternsInOrder() {
        parse("grep -e one --regexp=two -ethree f");
        assertEquals(List.of("[one, two, three] BASIC"), grepCalls);
    }

    @Test
    void patternIsTheFirstOperandOnlyWithoutE() {
        assertEquals("-e :: grep -e 'x' :: [x] BASIC",
                parse("grep x -- -e").lines().collect(Collectors.joining()));
    }
}
