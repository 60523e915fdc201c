package dev.aegis.afs.query.shell;

import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.grammar.ShellPipeline;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;

/**
 * Turns ANTLR's first syntax error in a shell script into a {@link QuerySyntaxException} with
 * the column and the fix. Replaces the console listener, so nothing reaches stderr.
 */
final class ShellSyntaxErrors extends BaseErrorListener {

    static final ShellSyntaxErrors INSTANCE = new ShellSyntaxErrors();

    private ShellSyntaxErrors() {
    }

    @Override
    public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line,
            int charPositionInLine, String msg, RecognitionException e) {
        if (!(recognizer instanceof Parser parser) || !(offendingSymbol instanceof Token token)) {
            // The lexer has a token for every input; this would be a grammar bug.
            throw new QuerySyntaxException("cannot read the script: " + msg);
        }
        int column = token.getStartIndex() + 1;
        ParserRuleContext context = parser.getContext();
        if (context instanceof ShellPipeline.SingleQuotedContext quoted) {
            throw unbalanced('\'', quoted.start);
        }
        if (context instanceof ShellPipeline.DoubleQuotedContext || context instanceof ShellPipeline.DqPartContext) {
            while (!(context instanceof ShellPipeline.DoubleQuotedContext)) {
                context = context.getParent();
            }
            throw unbalanced('"', context.start);
        }
        if (token.getType() == ShellPipeline.PIPE) {
            throw new QuerySyntaxException("empty command before '|'; write a command on each side of '|'", column);
        }
        if (token.getType() == Token.EOF) {
            if (previousNonBlank(parser.getInputStream()) == ShellPipeline.PIPE) {
                throw new QuerySyntaxException("the pipeline ends with '|'; add the command that reads it,"
                        + " e.g. | wc -l", column);
            }
            throw new QuerySyntaxException("empty command; write e.g. grep -i oom"
                    + " /teams/<team>/<env>/logs/<file>.log", column);
        }
        throw new QuerySyntaxException("unexpected '" + token.getText() + "'; write one pipeline of grep, cat,"
                + " tail, head and wc -l joined by '|'", column);
    }

    private static QuerySyntaxException unbalanced(char quote, Token opening) {
        String name = quote == '\'' ? "single" : "double";
        return new QuerySyntaxException("unbalanced " + name + " quote: the " + quote + " here is never closed;"
                + " add the closing " + quote, opening.getStartIndex() + 1);
    }

    private static int previousNonBlank(TokenStream tokens) {
        for (int k = -1; ; k--) {
            Token t = tokens.LT(k);
            if (t == null) {
                return Token.INVALID_TYPE;
            }
            if (t.getType() != ShellPipeline.WS) {
                return t.getType();
            }
        }
    }
}
