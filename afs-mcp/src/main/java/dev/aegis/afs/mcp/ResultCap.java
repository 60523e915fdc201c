package dev.aegis.afs.mcp;

/**
 * How much of a result goes back to the model: at most {@code maxLines} lines and
 * {@code maxBytes} bytes of text. The rest stays in the evidence file, and the result says so.
 */
public record ResultCap(int maxLines, int maxBytes) {

    public static final ResultCap DEFAULT = new ResultCap(200, 16 * 1024);

    public ResultCap {
        if (maxLines < 1 || maxBytes < 256) {
            throw new IllegalArgumentException("a result cap needs at least 1 line and 256 bytes; got "
                    + maxLines + " lines, " + maxBytes + " bytes");
        }
    }
}
