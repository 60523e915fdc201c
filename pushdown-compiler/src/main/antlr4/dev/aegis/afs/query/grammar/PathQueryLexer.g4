/*
 * Tokens of a path query: the text after '?' in a file name, e.g. since=1h&grep-i=oom&tail=50.
 *
 * A key runs up to '=' or '&'. After '=' the lexer switches to VALUE mode, where everything up
 * to the next '&' belongs to the value, so a value may contain '=', '?', '/' and '+'. Percent
 * escapes are their own tokens so the AST builder can decode them and report a bad one with
 * its column. The lexer has a token for every input, so it never reports errors itself.
 */
lexer grammar PathQueryLexer;

AMP : '&' ;
EQ  : '=' -> pushMode(VALUE) ;
KEY : ~[=&]+ ;

mode VALUE;

VALUE_AMP    : '&' -> type(AMP), popMode ;
PERCENT      : '%' HEX HEX ;
BAD_PERCENT  : '%' ~[&%]? ~[&%]? ;
TEXT         : ~[&%]+ ;

fragment HEX : [0-9a-fA-F] ;
