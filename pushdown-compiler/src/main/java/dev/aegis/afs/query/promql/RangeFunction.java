package dev.aegis.afs.query.promql;

import dev.aegis.afs.query.QuerySyntaxException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A PromQL function over a range of each series, from the {@code fn=} term, e.g. {@code rate(5m)}
 * or {@code quantile_over_time(0.99,5m)}.
 *
 * @param quantile the φ of {@code quantile_over_time} (0 to 1, as written), empty for the others
 */
public record RangeFunction(Name name, Optional<BigDecimal> quantile, Duration range) {

    public enum Name {
        RATE, INCREASE, AVG_OVER_TIME, MAX_OVER_TIME, MIN_OVER_TIME, SUM_OVER_TIME, COUNT_OVER_TIME,
        QUANTILE_OVER_TIME;

        public String promQl() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final String EXAMPLES = "write e.g. fn=rate(5m), fn=increase(1h), fn=avg_over_time(5m)"
            + " or fn=quantile_over_time(0.99,5m)";

    public RangeFunction {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(quantile, "quantile is null");
        Objects.requireNonNull(range, "range is null");
        if (quantile.isPresent() != (name == Name.QUANTILE_OVER_TIME)) {
            throw new IllegalArgumentException("only quantile_over_time takes a quantile");
        }
    }

    /** Parses the value of {@code fn=}; {@code column} is where the value starts. */
    public static RangeFunction parse(String text, int column) {
        int open = text.indexOf('(');
        if (open <= 0 || !text.endsWith(")")) {
            throw new QuerySyntaxException("'" + text + "' is not a function; " + EXAMPLES, column);
        }
        String fn = text.substring(0, open);
        Name name = Arrays.stream(Name.values()).filter(n -> n.promQl().equals(fn)).findFirst()
                .orElseThrow(() -> new QuerySyntaxException("unknown function '" + fn + "'; fn= takes "
                        + Arrays.stream(Name.values()).map(Name::promQl).collect(Collectors.joining(", ")), column));
        String[] args = text.substring(open + 1, text.length() - 1).split(",", -1);
        if (name == Name.QUANTILE_OVER_TIME) {
            if (args.length != 2) {
                throw new QuerySyntaxException("quantile_over_time takes a quantile and a range,"
                        + " e.g. fn=quantile_over_time(0.99,5m)", column);
            }
            BigDecimal phi;
            try {
                phi = new BigDecimal(args[0].strip());
            } catch (NumberFormatException e) {
                phi = null;
            }
            if (phi == null || phi.signum() < 0 || phi.compareTo(BigDecimal.ONE) > 0) {
                throw new QuerySyntaxException("quantile '" + args[0].strip() + "' must be a number from 0 to 1,"
                        + " e.g. 0.99", column);
            }
            return new RangeFunction(name, Optional.of(phi), PromDuration.parse(args[1].strip(), "fn", column));
        }
        if (args.length != 1) {
            throw new QuerySyntaxException(fn + " takes one range, e.g. fn=" + fn + "(5m)", column);
        }
        return new RangeFunction(name, Optional.empty(), PromDuration.parse(args[0].strip(), "fn", column));
    }

    /** Applies this function to {@code selector}, e.g. {@code rate(x{job="api"}[5m])}. */
    public String apply(String selector) {
        String ranged = selector + "[" + PromDuration.format(range) + "]";
        return name.promQl() + "(" + quantile.map(q -> q.toPlainString() + ", ").orElse("") + ranged + ")";
    }

    @Override
    public String toString() {
        return name.promQl() + "(" + quantile.map(q -> q.toPlainString() + ",").orElse("")
                + PromDuration.format(range) + ")";
    }
}
