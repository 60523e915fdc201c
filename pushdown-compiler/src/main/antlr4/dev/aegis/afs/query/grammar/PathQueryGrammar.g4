/*
 * A path query: key=value terms joined by '&'. Keys and values are checked by the AST builder
 * (dev.aegis.afs.query.path), which turns this tree into PathTerm records.
 *
 * Named PathQueryGrammar, not PathQuery, so the generated parser does not share a name with
 * the PathQuery record.
 */
parser grammar PathQueryGrammar;

options { tokenVocab = PathQueryLexer; }

query
    : term (AMP term)* EOF   # terms
    | EOF                    # noTerms
    ;

term
    : KEY EQ valuePart*      # keyValue
    ;

valuePart
    : TEXT                   # literalText
    | PERCENT                # percentEscape
    | BAD_PERCENT            # badPercentEscape
    ;
