package dev.aegis.afs.query.fuzz;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.query.path.PathQueryParser;
import dev.aegis.afs.query.shell.ShellQueryParser;

/**
 * What every parser must hold on any input: a refusal is a documented exception whose message
 * is present and bounded. A message that grows with the input would echo a user's whole query
 * (which may hold pasted secrets) into /.afs/errors and the daemon log, however long it is.
 */
final class FuzzInvariants {

    /**
     * The longest refusal message accepted: a message may quote one value (at most
     * {@link PathQueryParser#MAX_VALUE_LENGTH}) and RE2's description of it, plus its template.
     */
    static final int MAX_MESSAGE_LENGTH = 2 * PathQueryParser.MAX_VALUE_LENGTH + 512;

    private FuzzInvariants() {
    }

    /** For shell scripts: a message may quote one word, at most the whole accepted script. */
    static final int MAX_SHELL_MESSAGE_LENGTH = ShellQueryParser.MAX_SCRIPT_LENGTH + 512;

    static void assertBoundedMessage(String input, Throwable refusal) {
        assertBoundedMessage(input, refusal, MAX_MESSAGE_LENGTH);
    }

    static void assertBoundedMessage(String input, Throwable refusal, int limit) {
        String message = refusal.getMessage();
        assertNotNull(message, () -> refusal.getClass().getName() + " without a message for input of "
                + input.length() + " chars");
        assertTrue(message.length() <= limit, () -> "the message has " + message.length()
                + " chars (limit " + limit + ") for an input of " + input.length() + " chars: "
                + message.substring(0, 200) + "...");
    }
}
