package dev.aegis.afs.query.grep;

import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.local.LineMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Our side of a differential case: the 1-based numbers of the lines our filter keeps. */
final class Differential {

    private Differential() {
    }

    static Set<Integer> selected(LineFilter filter, List<String> lines) {
        LineMatcher matcher = LineMatcher.of(filter);
        Set<Integer> out = new TreeSet<>();
        for (int i = 0; i < lines.size(); i++) {
            if (matcher.keeps(lines.get(i))) {
                out.add(i + 1);
            }
        }
        return out;
    }

    static GrepOptions options(List<String> flags) {
        GrepOptions.Syntax syntax = flags.contains("-E") ? GrepOptions.Syntax.EXTENDED
                : flags.contains("-F") ? GrepOptions.Syntax.FIXED : GrepOptions.Syntax.BASIC;
        return new GrepOptions(syntax, flags.contains("-i"), flags.contains("-v"), flags.contains("-w"), flags.contains("-x"));
    }

    static List<String> flags(String spec) {
        List<String> out = new ArrayList<>();
        for (String f : spec.trim().split("\\s+")) {
            if (!f.isEmpty()) {
                out.add(f);
            }
        }
        return out;
    }
}
