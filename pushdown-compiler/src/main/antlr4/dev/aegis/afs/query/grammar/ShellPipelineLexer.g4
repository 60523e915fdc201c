/*
 * Tokens of an 'afs sh -c' script: words and pipes, quoted as bash quotes them.
 *
 * Every character sequence has a token, including the shell syntax afs sh refuses ('$', '`',
 * redirections, ';', '&&', '||', '&', parentheses, unquoted globs), so the refusal can name
 * the construct and its column instead of being a generic syntax error.
 */
lexer grammar ShellPipelineLexer;

WS              : [ \t]+ ;
PIPE            : '|' ;
OR_IF           : '||' ;
AND_IF          : '&&' ;
AMP             : '&' ;
SEMI            : ';' | ';;' ;
NEWLINE         : '\r'? '\n' ;
REDIRECT        : '<' | '>' | '>>' | '<<' | '<<<' | '<&' | '>&' | '&>' | '&>>' | '>|' | '<>' ;
LPAREN          : '(' ;
RPAREN          : ')' ;
DOLLAR          : '$' ;
BACKTICK        : '`' ;
GLOB            : [*?[] ;
BRACE           : [{}] ;
LINE_CONTINUATION : '\\' '\r'? '\n' ;
ESCAPE          : '\\' . ;
LONE_BACKSLASH  : '\\' ;
SQ_START        : '\'' -> pushMode(SINGLE_QUOTED) ;
DQ_START        : '"' -> pushMode(DOUBLE_QUOTED) ;
UNQUOTED        : ~[ \t\n|&;<>()$`*?[{}\\'"]+ ;

mode SINGLE_QUOTED;

SQ_TEXT         : ~'\''+ ;
SQ_END          : '\'' -> popMode ;

// Inside double quotes bash gives backslash a meaning only before $ ` " \ and newline.
mode DOUBLE_QUOTED;

DQ_END          : '"' -> popMode ;
DQ_ESCAPE       : '\\' [$`"\\\n] ;
DQ_BACKSLASH    : '\\' ;
DQ_DOLLAR       : '$' ;
DQ_BACKTICK     : '`' ;
DQ_TEXT         : ~["\\$`]+ ;
