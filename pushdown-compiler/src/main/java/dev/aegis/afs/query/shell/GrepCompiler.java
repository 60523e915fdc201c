package dev.aegis.afs.query.shell;

import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.grep.GrepOptions;
import java.util.List;

/** Builds the filter of one grep command; {@code GrepPatterns::compile} outside tests. */
@FunctionalInterface
interface GrepCompiler {

    LineFilter compile(List<String> patterns, GrepOptions options);
}
