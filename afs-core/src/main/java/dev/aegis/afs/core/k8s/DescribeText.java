package dev.aegis.afs.core.k8s;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds describe output in kubectl's layout: {@code Label:  value} rows, nested by indentation,
 * whose values line up in one column until the next heading or table (as kubectl's tabwriter
 * does), and tables with dashed headers.
 */
final class DescribeText {

    private final List<String> lines = new ArrayList<>();
    private final List<String[]> block = new ArrayList<>();

    /** A {@code label: value} row; an empty value shows as {@code <none>}; a value may span lines. */
    DescribeText field(String indent, String label, String value) {
        block.add(new String[] {indent + label + ":", value == null || value.isEmpty() ? "<none>" : value});
        return this;
    }

    DescribeText field(String label, String value) {
        return field("", label, value);
    }

    /** A line of its own, such as {@code Containers:}; ends the current block of rows. */
    DescribeText heading(String indent, String text) {
        flush();
        lines.add(indent + text);
        return this;
    }

    /** A table: header row, dashes, rows; columns separated by at least two spaces. */
    DescribeText table(String indent, List<String> header, List<List<String>> rows) {
        flush();
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.add(header.stream().map(h -> "-".repeat(h.length())).toList());
        all.addAll(rows);
        int[] width = new int[header.size()];
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        for (List<String> row : all) {
            StringBuilder out = new StringBuilder(indent);
            for (int i = 0; i < row.size(); i++) {
                out.append(i == row.size() - 1 ? row.get(i) : pad(row.get(i), width[i] + 2));
            }
            lines.add(out.toString().stripTrailing());
        }
        return this;
    }

    List<String> lines() {
        flush();
        return List.copyOf(lines);
    }

    private void flush() {
        int width = block.stream().mapToInt(r -> r[0].length()).max().orElse(0) + 2;
        for (String[] row : block) {
            String[] values = row[1].split("\n", -1);
            lines.add(pad(row[0], width) + values[0]);
            for (int i = 1; i < values.length; i++) {
                lines.add(" ".repeat(width) + values[i]);
            }
        }
        block.clear();
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(1, width - s.length()));
    }
}
