package dev.aegis.afs.query.grep;

/**
 * The matching options of GNU grep that change which lines are selected.
 *
 * @param syntax     -G (basic, the default), -E (extended) or -F (fixed strings)
 * @param ignoreCase -i
 * @param invert     -v
 * @param word       -w
 * @param line       -x
 */
public record GrepOptions(Syntax syntax, boolean ignoreCase, boolean invert, boolean word, boolean line) {

    public enum Syntax { BASIC, EXTENDED, FIXED }

    public static final GrepOptions DEFAULT = new GrepOptions(Syntax.BASIC, false, false, false, false);
}
