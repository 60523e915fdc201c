package dev.aegis.afs.query.path;

import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.grammar.PathQueryGrammar;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;

/**
 * Turns ANTLR's first syntax error in a path query into a {@link QuerySyntaxException} that
 * names the column and the fix. Replaces the console listener, so nothing reaches stderr.
 */
final class PathSyntaxErrors extends BaseErrorListener {

    static final PathSyntaxErrors INSTANCE = new PathSyntaxErrors();

    private PathSyntaxErrors() {
    }

    @Override
    public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line,
            int charPositionInLine, String msg, RecognitionException e) {
        if (!(offendingSymbol instanceof Token token)) {
            // The lexer has a token for every input; this would be a grammar bug.
            throw new QuerySyntaxException("cannot read the query: " + msg);
        }
        int column = token.getStartIndex() + 1;
        ParserRuleContext context = recognizer instanceof Parser p ? p.getContext() : null;
        if (context instanceof PathQueryGrammar.KeyValueContext term && term.KEY() != null) {
            // Shortened: the message must not echo a whole (possibly pasted) query back.
            String key = shortened(term.KEY().getText());
            throw new QuerySyntaxException("term '" + key + "' has no '='; write " + key
                    + "=VALUE (an empty value is written " + key + "=)", term.start.getStartIndex() + 1);
        }
        switch (token.getType()) {
            case PathQueryGrammar.EQ -> throw new QuerySyntaxException(
                    "empty key before '='; write key=value, e.g. tail=50", column);
            case PathQueryGrammar.AMP -> throw new QuerySyntaxException(
                    "empty term before '&'; remove the extra '&'", column);
            case Token.EOF -> throw new QuerySyntaxException(
                    "the query ends with '&'; remove it or add a term after it", column);
            default -> throw new QuerySyntaxException("unexpected '" + token.getText() + "'; write key=value terms joined by '&'", column);
        }
    }

    private static String shortened(String key) {
        return key.length() <= 40 ? key : key.substring(0, 40) + "...";
    }
}
