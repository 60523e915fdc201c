package dev.aegis.afs.query.shell;

import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.grammar.ShellPipeline;
import dev.aegis.afs.query.grammar.ShellPipelineBaseVisitor;
import dev.aegis.afs.query.grammar.ShellPipelineLexer;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;

/**
 * The AST builder of {@code ShellPipeline.g4}: turns the parse tree into commands of words,
 * removing quotes as bash does, and refuses every construct that needs a real shell.
 */
final class PipelineBuilder extends ShellPipelineBaseVisitor<Void> {

    private final List<ShellCommand> commands = new ArrayList<>();
    private StringBuilder text;
    private List<ShellWord.Glob> globs;
    private boolean hasContent;

    private PipelineBuilder() {
    }

    static List<ShellCommand> commands(String script) {
        ShellPipelineLexer lexer = new ShellPipelineLexer(CharStreams.fromString(script));
        lexer.removeErrorListeners();
        lexer.addErrorListener(ShellSyntaxErrors.INSTANCE);
        ShellPipeline parser = new ShellPipeline(new CommonTokenStream(lexer));
        parser.removeErrorListeners();
        parser.addErrorListener(ShellSyntaxErrors.INSTANCE);
        PipelineBuilder builder = new PipelineBuilder();
        builder.visit(parser.script());
        return builder.commands;
    }

    @Override
    public Void visitCommand(ShellPipeline.CommandContext ctx) {
        List<ShellWord> words = new ArrayList<>();
        for (ShellPipeline.ElementContext element : ctx.element()) {
            if (!(element instanceof ShellPipeline.WordContext word)) {
                visit(element); // every other element is refused
                continue;
            }
            ShellWord built = word(word);
            if (built != null) {
                words.add(built);
            }
        }
        if (words.isEmpty()) {
            // Only line continuations: bash runs nothing, which is not a read.
            throw new QuerySyntaxException("empty command; write e.g. grep -i oom /teams/<team>/<env>/logs/<file>.log",
                    column(ctx.start));
        }
        commands.add(new ShellCommand(words));
        return null;
    }

    /** The word after quote removal, or null when it held only line continuations (bash drops it). */
    private ShellWord word(ShellPipeline.WordContext ctx) {
        text = new StringBuilder();
        globs = new ArrayList<>();
        hasContent = false;
        List<ShellPipeline.PieceContext> pieces = ctx.piece();
        if (pieces.get(0) instanceof ShellPipeline.UnquotedContext first) {
            refuseAtWordStart(first.start);
        }
        for (ShellPipeline.PieceContext piece : pieces) {
            visit(piece);
        }
        return hasContent ? new ShellWord(text.toString(), column(ctx.start), globs) : null;
    }

    private static void refuseAtWordStart(Token token) {
        char c = token.getText().charAt(0);
        if (c == '#') {
            throw new QuerySyntaxException("'#' at the start of a word starts a comment in a shell; quote it, e.g. '"
                    + token.getText() + "'", column(token));
        }
        if (c == '~') {
            throw new QuerySyntaxException("'~' at the start of a word is expanded by a shell to a home directory;"
                    + " write the full path, or quote it", column(token));
        }
    }

    private void append(String s) {
        text.append(s);
        hasContent = true;
    }

    // Words.

    @Override
    public Void visitUnquoted(ShellPipeline.UnquotedContext ctx) {
        append(ctx.getText());
        return null;
    }

    @Override
    public Void visitEscaped(ShellPipeline.EscapedContext ctx) {
        append(ctx.getText().substring(1));
        return null;
    }

    @Override
    public Void visitLineContinuation(ShellPipeline.LineContinuationContext ctx) {
        return null;
    }

    @Override
    public Void visitSingleQuoted(ShellPipeline.SingleQuotedContext ctx) {
        append(ctx.SQ_TEXT() == null ? "" : ctx.SQ_TEXT().getText());
        return null;
    }

    @Override
    public Void visitDoubleQuoted(ShellPipeline.DoubleQuotedContext ctx) {
        append("");
        return visitChildren(ctx);
    }

    @Override
    public Void visitDqText(ShellPipeline.DqTextContext ctx) {
        append(ctx.getText());
        return null;
    }

    @Override
    public Void visitDqEscape(ShellPipeline.DqEscapeContext ctx) {
        char escaped = ctx.getText().charAt(1);
        if (escaped != '\n') { // backslash-newline is a line continuation, removed
            append(String.valueOf(escaped));
        }
        return null;
    }

    @Override
    public Void visitDqBackslash(ShellPipeline.DqBackslashContext ctx) {
        append("\\"); // before any other character bash keeps the backslash
        return null;
    }

    @Override
    public Void visitGlob(ShellPipeline.GlobContext ctx) {
        globs.add(new ShellWord.Glob(ctx.getText().charAt(0), column(ctx.start)));
        append(ctx.getText());
        return null;
    }

    // Refused: expansions.

    @Override
    public Void visitBrace(ShellPipeline.BraceContext ctx) {
        throw new QuerySyntaxException("unquoted '" + ctx.getText() + "' may be expanded by a shell (brace expansion);"
                + " quote the word, e.g. 'a{2}'", column(ctx.start));
    }

    @Override
    public Void visitExpansion(ShellPipeline.ExpansionContext ctx) {
        throw expansion(ctx);
    }

    @Override
    public Void visitDqExpansion(ShellPipeline.DqExpansionContext ctx) {
        throw expansion(ctx);
    }

    private static QuerySyntaxException expansion(ParserRuleContext ctx) {
        return new QuerySyntaxException("'$' starts a shell expansion ($VAR, $(...)), which afs sh does not perform;"
                + " write the text itself, in single quotes if it contains '$', e.g. 'error$'", column(ctx.start));
    }

    @Override
    public Void visitCommandSubstitution(ShellPipeline.CommandSubstitutionContext ctx) {
        throw commandSubstitution(ctx);
    }

    @Override
    public Void visitDqCommandSubstitution(ShellPipeline.DqCommandSubstitutionContext ctx) {
        throw commandSubstitution(ctx);
    }

    private static QuerySyntaxException commandSubstitution(ParserRuleContext ctx) {
        return new QuerySyntaxException("'`' starts a command substitution, which afs sh does not perform;"
                + " write the text itself, in single quotes if it contains '`'", column(ctx.start));
    }

    @Override
    public Void visitTrailingBackslash(ShellPipeline.TrailingBackslashContext ctx) {
        throw new QuerySyntaxException("a backslash at the end escapes nothing; remove it, or write '\\' for a"
                + " literal backslash", column(ctx.start));
    }

    // Refused: operators other than '|'.

    @Override
    public Void visitCommandList(ShellPipeline.CommandListContext ctx) {
        String what = ctx.SEMI() != null ? "'" + ctx.getText() + "'" : "a newline";
        throw new QuerySyntaxException(what + " runs commands one after another, which afs sh does not do;"
                + " write one pipeline joined by '|'", column(ctx.start));
    }

    @Override
    public Void visitBackground(ShellPipeline.BackgroundContext ctx) {
        throw new QuerySyntaxException("'&' runs a command in the background, which afs sh does not do; if it is"
                + " part of file?terms, quote the path, e.g. 'api.log?since=1h&tail=50'", column(ctx.start));
    }

    @Override
    public Void visitAndOrList(ShellPipeline.AndOrListContext ctx) {
        throw new QuerySyntaxException("'" + ctx.getText() + "' runs commands depending on each other's exit"
                + " status, which afs sh does not do; write one pipeline joined by '|'", column(ctx.start));
    }

    @Override
    public Void visitRedirection(ShellPipeline.RedirectionContext ctx) {
        throw new QuerySyntaxException("redirection '" + ctx.getText() + "' is not supported: afs sh reads one file"
                + " named as the first command's argument and never writes; e.g. grep oom FILE | wc -l",
                column(ctx.start));
    }

    @Override
    public Void visitSubshell(ShellPipeline.SubshellContext ctx) {
        throw new QuerySyntaxException("'" + ctx.getText() + "' starts or ends a subshell, which afs sh does not"
                + " run; write one pipeline joined by '|', and quote a '(' that belongs to a pattern",
                column(ctx.start));
    }

    private static int column(Token token) {
        return token.getStartIndex() + 1;
    }
}
