package dev.aegis.afs.core;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One daemon log entry per line: {@code time level logger: message}, the message (and any
 * stack trace) passed through {@link LogText#escape}, so no caller-controlled text can end an
 * entry early or start a forged one. Every entry ends with exactly one newline.
 */
public final class DaemonLogFormatter extends Formatter {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    @Override
    public String format(LogRecord record) {
        StringBuilder out = new StringBuilder(128)
                .append(TIME.format(Instant.ofEpochMilli(record.getMillis()))).append(' ')
                .append(record.getLevel().getName()).append(' ')
                .append(record.getLoggerName()).append(": ")
                .append(LogText.escape(formatMessage(record)));
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            out.append(' ').append(LogText.escape(trace.toString().stripTrailing()));
        }
        return out.append('\n').toString();
    }
}
