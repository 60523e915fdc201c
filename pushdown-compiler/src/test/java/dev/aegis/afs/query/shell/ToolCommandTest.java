package dev.aegis.afs.query.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.query.QuerySyntaxException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which plain command lines are served pushed down, and with which plan. */
class ToolCommandTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "grep -c ERROR api.log                 ; grep -F -e 'ERROR'                      ; api.log",
        "/usr/bin/grep -q ERROR api.log        ; grep -F -e 'ERROR' | head -n 1          ; api.log",
        "grep -l -i oom a.log b.log            ; grep -F -i -e 'oom' | head -n 1         ; a.log b.log",
        "grep -L oom api.log                   ; grep -F -e 'oom' | head -n 1            ; api.log",
        "grep -m 3 -v x api.log                ; grep -v -F -e 'x' | head -n 3           ; api.log",
        "grep -o -h -H x. api.log              ; grep -e 'x.'                            ; api.log",
        "grep --color=auto -E a|b api.log      ; grep -e 'a|b'                           ; api.log",
        "egrep a|b api.log                     ; grep -e 'a|b'                           ; api.log",
        "fgrep a.b api.log                     ; grep -F -e 'a.b'                        ; api.log",
        "tail -n 50 api.log                    ; tail -n 50                              ; api.log",
        "tail api.log                          ; tail -n 10                              ; api.log",
        "head -n 7 /mnt/afs/x/api.log          ; head -n 7                               ; /mnt/afs/x/api.log",
    })
    void pushedDown(String line, String plan, String operands) {
        ToolCommand tool = ToolCommand.parse(List.of(line.trim().split(" +")));
        assertEquals(plan.trim(), tool.plan().toString());
        assertEquals(List.of(operands.trim().split(" ")), tool.operands());
        assertFalse(tool.follow());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tail -f api.log", "tail -F api.log", "tail --follow=name api.log",
        "tail -n 5 -f -s 0.1 api.log"})
    void follows(String line) {
        ToolCommand tool = ToolCommand.parse(List.of(line.split(" ")));
        assertTrue(tool.follow());
        assertEquals(List.of("api.log"), tool.operands());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"grep -n x api.log", "grep -A 1 x api.log", "grep -C0 x api.log", "grep -b x api.log",
        "grep -z x api.log", "grep -r x api.log", "cat api.log", "tail -c 5 api.log", "tail -n +5 api.log",
        "head -n -5 api.log", "grep 'x\\(a\\)\\1' api.log", "sort api.log", "bash"})
    void notPushedDown(String line) {
        assertThrows(QuerySyntaxException.class, () -> ToolCommand.parse(List.of(line.split(" "))));
    }
}
