/**
 * Compiles a {@link dev.aegis.afs.query.LogQuery} into a CloudWatch Logs Insights query.
 *
 * <p>The query sent is {@code fields @timestamp, @message | filter toMillis(@timestamp) >= S and
 * toMillis(@timestamp) < E | filter ... | sort @timestamp desc | limit N}; StartQuery's own
 * {@code startTime}/{@code endTime} are whole seconds (the end inclusive), so they are widened
 * to cover the window and the millisecond filter makes it exact (events carry millisecond
 * timestamps, so {@code t >= from} is {@code toMillis(@timestamp) >= ceil(from)}).
 *
 * <p>Insights does not match like RE2, so only what is provably the same is claimed exact:
 * <ul>
 *   <li><b>Exact</b>: a case-sensitive literal made only of printable ASCII other than
 *       {@code " \ ' ` % *} becomes {@code @message like "text"}, a substring test. Such keep and
 *       drop filters ({@code not like}) are pushed and leave the residual.</li>
 *   <li><b>Superset</b>: a case-sensitive regex is not sent as a regex. Insights' dialect differs
 *       from RE2: {@code .} also stops at {@code \r} and {@code \u2028}, {@code $} matches before
 *       a final newline, {@code (?i)} folds ASCII only (RE2 also folds {@code ſ} and the Kelvin
 *       sign), and classes such as {@code [[:alpha:]]} and {@code \pL} differ. Instead the literal
 *       runs every match must contain (outside groups, classes and optional parts, e.g.
 *       {@code time} and {@code bank} for {@code time(out)? .*bank}) are pushed as
 *       {@code like "run"} conditions, which keep every line the regex keeps; the regex itself
 *       stays in the residual and decides locally. A literal with other characters is cut at
 *       them and its pieces pushed the same way ({@code C:\temp} needs {@code C:} and
 *       {@code temp}).</li>
 *   <li><b>Not pushed</b>: ignore-case patterns, regexes with a top-level alternation or no safe
 *       literal run, and any drop filter that is not exact
 *       (pushing a superset of a drop would lose lines). A filter with several patterns (an OR)
 *       is pushed whole or not at all.</li>
 * </ul>
 * A {@code tail}/{@code head} is pushed as {@code sort @timestamp desc|asc | limit N} only when
 * every filter before it was exact; otherwise it stays in the residual and the window is read.
 * FilterLogEvents is never used: its filter-pattern terms are not substrings (they match
 * whole terms and treat some punctuation specially) and across several streams it does not
 * return one time order, so it cannot carry a pushed limit exactly.
 */
package dev.aegis.afs.query.insights;
