package dev.aegis.afs.query.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.query.QuerySyntaxException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PathQueryParserTest {

    /** Terms rendered as key=[value]@column, joined by spaces. */
    static Stream<Arguments> terms() {
        return Stream.of(
                Arguments.of("", ""),
                Arguments.of("tail=50", "tail=[50]@1"),
                Arguments.of("since=1h&grep-i=oom&tail=50", "since=[1h]@1 grep-i=[oom]@10 tail=[50]@21"),
                Arguments.of("grep-F=x", "grep-F=[x]@1"),
                // a value may hold '=', '?' and '/'
                Arguments.of("grep=a=b?c/d", "grep=[a=b?c/d]@1"),
                // '+' is a literal plus, not a space
                Arguments.of("grep=a+b", "grep=[a+b]@1"),
                Arguments.of("grep=a%20b", "grep=[a b]@1"),
                Arguments.of("grep=a%26b&tail=1", "grep=[a&b]@1 tail=[1]@12"),
                Arguments.of("grep=100%25", "grep=[100%]@1"),
                Arguments.of("grep=%2b%2B", "grep=[++]@1"),
                // UTF-8 escapes decode to one character; raw non-ASCII is kept
                Arguments.of("grep=caf%C3%A9", "grep=[café]@1"),
                Arguments.of("grep=café&tail=1", "grep=[café]@1 tail=[1]@11"),
                Arguments.of("grep=%E2%82%AC%E2%82%AC", "grep=[€€]@1"),
                // tab is the one control character allowed
                Arguments.of("grep=a%09b", "grep=[a\tb]@1"),
                Arguments.of("grep=a\tb", "grep=[a\tb]@1"),
                // empty values are allowed (grep '' matches every line)
                Arguments.of("grep=", "grep=[]@1"),
                Arguments.of("grep=&tail=3", "grep=[]@1 tail=[3]@7"),
                // keys are not checked against a file type here
                Arguments.of("window=5m&fn=rate", "window=[5m]@1 fn=[rate]@11"),
                Arguments.of("a1-b=x", "a1-b=[x]@1"),
                Arguments.of("grep=x&grep=y", "grep=[x]@1 grep=[y]@8"));
    }

    @ParameterizedTest(name = "[{index}] {0}|")
    @MethodSource
    void terms(String text, String expected) {
        PathQuery query = PathQueryParser.parse(text);
        assertEquals(text, query.text());
        assertEquals(expected, render(query.terms()));
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of("grep=%G1", "column 6: invalid percent-encoding '%G1'; write a literal % as %25"),
                Arguments.of("tail=5&grep=50%", "column 15: invalid percent-encoding '%'; write a literal % as %25"),
                Arguments.of("grep=%4", "column 6: invalid percent-encoding '%4'; write a literal % as %25"),
                Arguments.of("grep=%%41", "column 6: invalid percent-encoding '%'; write a literal % as %25"),
                Arguments.of("grep=%4&x=1", "column 6: invalid percent-encoding '%4'; write a literal % as %25"),
                Arguments.of("grep=a%00b", "column 7: the value of 'grep' contains control character U+0000 (from %00);"
                        + " values may not contain control characters other than tab (%09)"),
                Arguments.of("grep=%0A", "column 6: the value of 'grep' contains control character U+000A (from %0A);"
                        + " values may not contain control characters other than tab (%09)"),
                Arguments.of("grep=%7f", "column 6: the value of 'grep' contains control character U+007F (from %7f);"
                        + " values may not contain control characters other than tab (%09)"),
                Arguments.of("grep=%C2%85", "column 6: the value of 'grep' contains control character U+0085"
                        + " (percent-encoded); values may not contain control characters other than tab (%09)"),
                Arguments.of("grep=ab\ncd", "column 8: the value of 'grep' contains control character U+000A;"
                        + " values may not contain control characters other than tab (%09)"),
                Arguments.of("grep=%C3%28", "column 6: percent-escapes in the value of 'grep' are not valid UTF-8;"
                        + " encode text as UTF-8 bytes, e.g. é as %C3%A9"),
                Arguments.of("grep=%C3", "column 6: percent-escapes in the value of 'grep' are not valid UTF-8;"
                        + " encode text as UTF-8 bytes, e.g. é as %C3%A9"),
                Arguments.of("=x", "column 1: empty key before '='; write key=value, e.g. tail=50"),
                Arguments.of("tail=5&=x", "column 8: empty key before '='; write key=value, e.g. tail=50"),
                Arguments.of("&tail=5", "column 1: empty term before '&'; remove the extra '&'"),
                Arguments.of("tail=5&&head=1", "column 8: empty term before '&'; remove the extra '&'"),
                Arguments.of("tail=5&", "column 8: the query ends with '&'; remove it or add a term after it"),
                Arguments.of("tail", "column 1: term 'tail' has no '='; write tail=VALUE (an empty value is written tail=)"),
                Arguments.of("grep=x&tail&head=1",
                        "column 8: term 'tail' has no '='; write tail=VALUE (an empty value is written tail=)"),
                Arguments.of("Tail=5", "column 1: invalid key 'Tail'; a key is a lowercase letter followed by letters,"
                        + " digits and '-', e.g. grep-i (values go after '=')"),
                Arguments.of("tail=1&grep%2Di=x", "column 8: invalid key 'grep%2Di'; a key is a lowercase letter followed"
                        + " by letters, digits and '-', e.g. grep-i (values go after '=')"),
                Arguments.of("1x=2", "column 1: invalid key '1x'; a key is a lowercase letter followed by letters,"
                        + " digits and '-', e.g. grep-i (values go after '=')"),
                Arguments.of("api.log?tail=5", "column 1: invalid key 'api.log?tail'; a key is a lowercase letter"
                        + " followed by letters, digits and '-', e.g. grep-i (values go after '=')"));
    }

    @ParameterizedTest(name = "[{index}] {0}|")
    @MethodSource
    void errors(String text, String message) {
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class, () -> PathQueryParser.parse(text));
        assertEquals(message, e.getMessage());
    }

    @Test
    void errorsCarryTheirColumn() {
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class, () -> PathQueryParser.parse("tail=1&grep=%ZZ"));
        assertEquals(13, e.column());
    }

    @Test
    void queryOverTheLimitIsRefusedBeforeParsing() {
        String text = "grep=" + "a".repeat(4995);
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class, () -> PathQueryParser.parse(text));
        assertEquals("the query is 5000 characters; the limit is 4096: use fewer or shorter terms", e.getMessage());
    }

    @Test
    void queryAtTheLimitIsAccepted() {
        String text = "grep=" + "a".repeat(2048) + "&grep-v=" + "b".repeat(4096 - 2048 - 13);
        assertEquals(4096, text.length());
        assertEquals(2, PathQueryParser.parse(text).terms().size());
    }

    @Test
    void valueOverTheLimitIsRefusedNamingTheLimit() {
        String text = "tail=1&grep=" + "a".repeat(2049);
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class, () -> PathQueryParser.parse(text));
        assertEquals("column 8: the value of 'grep' is 2049 characters; the limit is 2048: shorten it", e.getMessage());
    }

    @Test
    void valueLimitCountsDecodedCharacters() {
        // 2048 escapes decode to 2048 characters: within the limit although the text is longer.
        String text = "grep=" + "%41".repeat(1300);
        assertEquals("A".repeat(1300), PathQueryParser.parse(text).terms().get(0).value());
    }

    @Test
    void nothingReachesStandardError() {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            for (String bad : List.of("=x", "&", "a=1&&", "tail", "a=%G", "\u0000=1", "a=1&=")) {
                assertThrows(QuerySyntaxException.class, () -> PathQueryParser.parse(bad));
            }
        } finally {
            System.setErr(original);
        }
        assertEquals("", captured.toString(StandardCharsets.UTF_8));
    }

    @Test
    void keysAreNotDecoded() {
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class, () -> PathQueryParser.parse("%74ail=1"));
        assertTrue(e.getMessage().startsWith("column 1: invalid key '%74ail'"), e.getMessage());
    }

    private static String render(List<PathTerm> terms) {
        return terms.stream().map(t -> t.key() + "=[" + t.value() + "]@" + t.column()).collect(Collectors.joining(" "));
    }
}
