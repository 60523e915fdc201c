package dev.aegis.afs.query.path;

import com.google.re2j.Pattern;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.grammar.PathQueryGrammar;
import dev.aegis.afs.query.grammar.PathQueryGrammarBaseVisitor;
import dev.aegis.afs.query.grammar.PathQueryLexer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Token;

/** The AST builder: turns the parse tree of {@code PathQueryGrammar.g4} into {@link PathTerm}s. */
final class PathTermBuilder extends PathQueryGrammarBaseVisitor<List<PathTerm>> {

    private static final Pattern KEY = Pattern.compile("[a-z][a-zA-Z0-9-]*");

    private PathTermBuilder() {
    }

    static List<PathTerm> terms(String text) {
        PathQueryLexer lexer = new PathQueryLexer(CharStreams.fromString(text));
        lexer.removeErrorListeners();
        lexer.addErrorListener(PathSyntaxErrors.INSTANCE);
        PathQueryGrammar parser = new PathQueryGrammar(new CommonTokenStream(lexer));
        parser.removeErrorListeners();
        parser.addErrorListener(PathSyntaxErrors.INSTANCE);
        return new PathTermBuilder().visit(parser.query());
    }

    @Override
    public List<PathTerm> visitNoTerms(PathQueryGrammar.NoTermsContext ctx) {
        return List.of();
    }

    @Override
    public List<PathTerm> visitTerms(PathQueryGrammar.TermsContext ctx) {
        List<PathTerm> terms = new ArrayList<>(ctx.term().size());
        for (PathQueryGrammar.TermContext term : ctx.term()) {
            terms.add(term((PathQueryGrammar.KeyValueContext) term));
        }
        return terms;
    }

    private static PathTerm term(PathQueryGrammar.KeyValueContext ctx) {
        String key = ctx.KEY().getText();
        int column = ctx.KEY().getSymbol().getStartIndex() + 1;
        if (!KEY.matcher(key).matches()) {
            throw new QuerySyntaxException("invalid key '" + key + "'; a key is a lowercase letter followed by"
                    + " letters, digits and '-', e.g. grep-i (values go after '=')", column);
        }
        String value = new ValueDecoder(key).decode(ctx.valuePart());
        int length = value.codePointCount(0, value.length());
        if (length > PathQueryParser.MAX_VALUE_LENGTH) {
            throw new QuerySyntaxException("the value of '" + key + "' is " + length + " characters; the limit is "
                    + PathQueryParser.MAX_VALUE_LENGTH + ": shorten it", column);
        }
        return new PathTerm(key, value, column);
    }

    /** Percent-decodes one value (runs of escapes as UTF-8) and refuses control characters. */
    private static final class ValueDecoder {
        private final String key;
        private final StringBuilder out = new StringBuilder();
        private ByteBuffer bytes; // allocated at the first escape: most values have none
        private int bytesColumn;

        ValueDecoder(String key) {
            this.key = key;
        }

        String decode(List<PathQueryGrammar.ValuePartContext> parts) {
            for (PathQueryGrammar.ValuePartContext part : parts) {
                Token token = part.start;
                int column = token.getStartIndex() + 1;
                if (part instanceof PathQueryGrammar.PercentEscapeContext) {
                    byteEscape(token.getText(), column);
                } else if (part instanceof PathQueryGrammar.BadPercentEscapeContext) {
                    throw new QuerySyntaxException("invalid percent-encoding '" + token.getText()
                            + "'; write a literal % as %25", column);
                } else {
                    flushBytes();
                    literal(token.getText(), column);
                }
            }
            flushBytes();
            return out.toString();
        }

        private void byteEscape(String escape, int column) {
            int b = Integer.parseInt(escape.substring(1), 16);
            if (b < 0x80 && isRefusedControl(b)) {
                throw controlCharacter(b, column, " (from " + escape + ")");
            }
            if (bytes == null) {
                bytes = ByteBuffer.allocate(PathQueryParser.MAX_QUERY_LENGTH / 3 + 1);
            }
            if (bytes.position() == 0) {
                bytesColumn = column;
            }
            bytes.put((byte) b);
        }

        private void flushBytes() {
            if (bytes == null || bytes.position() == 0) {
                return;
            }
            bytes.flip();
            try {
                CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(bytes);
                // C1 controls (U+0080..U+009F) only appear after decoding two bytes.
                chars.chars().filter(PathTermBuilder::isRefusedControl).findFirst()
                        .ifPresent(c -> {
                            throw controlCharacter(c, bytesColumn, " (percent-encoded)");
                        });
                out.append(chars);
            } catch (CharacterCodingException e) {
                throw new QuerySyntaxException("percent-escapes in the value of '" + key
                        + "' are not valid UTF-8; encode text as UTF-8 bytes, e.g. é as %C3%A9", bytesColumn);
            } finally {
                bytes.clear();
            }
        }

        private void literal(String text, int column) {
            int offset = 0;
            for (int i = 0; i < text.length(); ) {
                int c = text.codePointAt(i);
                if (isRefusedControl(c)) {
                    throw controlCharacter(c, column + offset, "");
                }
                i += Character.charCount(c);
                offset++;
            }
            out.append(text);
        }

        private QuerySyntaxException controlCharacter(int c, int column, String origin) {
            return new QuerySyntaxException(String.format(
                    "the value of '%s' contains control character U+%04X%s; values may not contain control"
                            + " characters other than tab (%%09)", key, c, origin), column);
        }
    }

    private static boolean isRefusedControl(int c) {
        return c != '\t' && Character.isISOControl(c);
    }
}
