package dev.aegis.afs.query.shell;

import dev.aegis.afs.query.QuerySyntaxException;
import java.util.List;

/**
 * Walks a command's arguments as GNU getopt does: options may follow operands (argument
 * permutation) until {@code --}; {@code -} alone is an operand.
 */
final class Arguments {

    private final List<ShellWord> words;
    private int next;
    private boolean optionsEnded;

    Arguments(List<ShellWord> words) {
        this.words = words;
    }

    boolean hasNext() {
        return next < words.size();
    }

    ShellWord next() {
        ShellWord word = words.get(next++);
        if (!optionsEnded && word.text().equals("--")) {
            optionsEnded = true;
            return hasNext() ? next() : null;
        }
        return word;
    }

    /** True when {@code word} (just returned by {@link #next()}) is an option, not an operand. */
    boolean isOption(ShellWord word) {
        return !optionsEnded && word.isOption();
    }

    /** The argument of an option that takes one, e.g. the pattern after {@code -e}. */
    ShellWord valueOf(String option, ShellWord optionWord, String example) {
        if (next >= words.size()) {
            throw new QuerySyntaxException(option + " needs a value, e.g. " + example, optionWord.column());
        }
        return words.get(next++);
    }
}
