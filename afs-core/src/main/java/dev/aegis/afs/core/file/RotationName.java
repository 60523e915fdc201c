package dev.aegis.afs.core.file;

import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a file name says about rotation: the base name it rotates under and its age among the
 * base's files. Recognised: {@code app.log.1}, {@code app.log.2.gz} (logrotate: larger is
 * older), {@code app.log-20240101}, {@code app.log.20240101-120000}, {@code 0.log.20240101-120000.gz}
 * (date suffixes, kubelet: earlier is older). Any other name is a current file.
 *
 * @param base    the current file's name
 * @param dated   the date suffix, or null
 * @param number  the logrotate number, or -1
 * @param gzip    ends in {@code .gz}
 */
record RotationName(String base, String dated, int number, boolean gzip) {

    private static final Pattern NUMBERED = Pattern.compile("(.+)\\.(\\d{1,6})(\\.gz)?");
    private static final Pattern DATED = Pattern.compile("(.+?)[.-](\\d{8}(?:[-_T]?\\d{2,6})?)(\\.gz)?");

    static RotationName of(String fileName) {
        Matcher numbered = NUMBERED.matcher(fileName);
        if (numbered.matches()) {
            return new RotationName(numbered.group(1), null, Integer.parseInt(numbered.group(2)), numbered.group(3) != null);
        }
        Matcher dated = DATED.matcher(fileName);
        if (dated.matches()) {
            return new RotationName(dated.group(1), dated.group(2), -1, dated.group(3) != null);
        }
        return new RotationName(fileName, null, -1, fileName.endsWith(".gz"));
    }

    boolean isCurrent() {
        return dated == null && number < 0;
    }

    /** Oldest first: dated files by date, then numbered ones from the highest, then the current file. */
    static final Comparator<RotationName> OLDEST_FIRST = Comparator
            .comparingInt((RotationName r) -> r.dated != null ? 0 : r.number >= 0 ? 1 : 2)
            .thenComparing(r -> r.dated == null ? "" : r.dated)
            .thenComparing(Comparator.comparingInt((RotationName r) -> r.number).reversed());

    /** Orders base names with embedded numbers by value, so {@code 2.log} comes before {@code 10.log}. */
    static final Comparator<String> NATURAL = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int si = i;
                int sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j))) {
                    j++;
                }
                String na = a.substring(si, i).replaceFirst("^0+(?=.)", "");
                String nb = b.substring(sj, j).replaceFirst("^0+(?=.)", "");
                int c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
                if (c != 0) {
                    return c;
                }
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };
}
