package dev.aegis.afs.query.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.path.PathQuery;
import dev.aegis.afs.query.path.PathTerm;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SelectorTermsTest {

    private static final SelectorTerms PODS = new SelectorTerms(Map.of("phase", "status.phase", "node", "spec.nodeName"));

    /** Builds terms the way the path parser does: key=value pairs joined by '&', value decoded. */
    private static PathQuery query(String... keyValues) {
        List<PathTerm> terms = new ArrayList<>();
        int column = 1;
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < keyValues.length; i += 2) {
            terms.add(new PathTerm(keyValues[i], keyValues[i + 1], column));
            String term = keyValues[i] + "=" + keyValues[i + 1];
            text.append(text.length() == 0 ? "" : "&").append(term);
            column += term.length() + 1;
        }
        return new PathQuery(text.toString(), terms);
    }

    @Test
    void labelAndShorthandGolden() {
        ObjectSelector s = PODS.compile(query("label", "app=payment-api", "phase", "Failed"));
        assertEquals("app=payment-api", s.labelSelector());
        assertEquals("status.phase=Failed", s.fieldSelector());
        assertEquals("labelSelector=app%3Dpayment-api&fieldSelector=status.phase%3DFailed", s.query());
    }

    @Test
    void everyLabelOperator() {
        ObjectSelector s = PODS.compile(query("label", "app==api,tier!=db,env in (prod, staging),zone notin (a),canary,!legacy",
                "label", "example.com/team=payments"));
        assertEquals("app=api,tier!=db,env in (prod,staging),zone notin (a),canary,!legacy,example.com/team=payments",
                s.labelSelector());
        assertEquals("labelSelector=app%3Dapi%2Ctier%21%3Ddb%2Cenv%20in%20%28prod%2Cstaging%29%2Czone%20notin%20%28a%29"
                + "%2Ccanary%2C%21legacy%2Cexample.com%2Fteam%3Dpayments", s.query());
    }

    @Test
    void localMatchingFollowsTheApiServer() {
        ObjectSelector s = PODS.compile(query("label", "app=api,tier!=db,env in (prod),!legacy", "field",
                "spec.nodeName!=n2"));
        Map<String, String> fields = Map.of("spec.nodeName", "n1");
        assertTrue(s.matches(Map.of("app", "api", "env", "prod"), fields::get));
        assertFalse(s.matches(Map.of("app", "api", "env", "prod", "legacy", "yes"), fields::get));
        assertFalse(s.matches(Map.of("app", "api", "env", "prod", "tier", "db"), fields::get));
        assertFalse(s.matches(Map.of("app", "api"), fields::get));
        assertFalse(s.matches(Map.of("app", "api", "env", "prod"), Map.of("spec.nodeName", "n2")::get));
        // A field the object lacks is the empty string.
        assertTrue(PODS.compile(query("field", "status.reason=")).matches(Map.of(), f -> null));
    }

    @Test
    void errorsNameTheTermAndTheFix() {
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class,
                () -> PODS.compile(query("phase", "Failed", "lable", "app=x")));
        assertEquals("column 14: unknown key 'lable'; this listing takes field, label, node, phase, e.g. label=app=api",
                e.getMessage());
        e = assertThrows(QuerySyntaxException.class, () -> PODS.compile(query("label", "app=pay ment")));
        assertEquals("column 1: 'app=pay ment' is not a label requirement; write key=value, key!=value, key, !key,"
                + " key%20in%20(a,b) or key%20notin%20(a,b), e.g. label=app=payment-api", e.getMessage());
        e = assertThrows(QuerySyntaxException.class, () -> PODS.compile(query("field", "status.phase")));
        assertTrue(e.getMessage().startsWith("column 1: 'status.phase' is not a field requirement"), e.getMessage());
        e = assertThrows(QuerySyntaxException.class, () -> PODS.compile(query("phase", "")));
        assertEquals("column 1: phase= needs one value, e.g. phase=Failed; for more, use field=status.phase!=...",
                e.getMessage());
    }

    @Test
    void splitKeepsOrder() {
        TermSplit split = TermSplit.of(query("since", "1h", "phase", "Failed", "grep", "x"), PODS.keys());
        assertEquals(List.of("phase"), split.selected().terms().stream().map(PathTerm::key).toList());
        assertEquals(List.of("since", "grep"), split.rest().terms().stream().map(PathTerm::key).toList());
    }
}
