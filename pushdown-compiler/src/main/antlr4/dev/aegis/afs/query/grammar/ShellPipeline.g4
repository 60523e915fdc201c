/*
 * An 'afs sh -c' script: one pipeline of simple commands made of words.
 *
 * Shell operators afs sh does not run (';', '&', '&&', '||', redirections, subshells) and the
 * expansions it does not perform ('$', '`', unquoted globs and braces) are parsed as labelled
 * alternatives, so the AST builder refuses each by name, with its column.
 */
parser grammar ShellPipeline;

options { tokenVocab = ShellPipelineLexer; }

script
    : WS? pipeline EOF
    ;

pipeline
    : command (PIPE WS? command)*
    ;

command
    : (element WS?)+
    ;

element
    : piece+                         # word
    | (SEMI | NEWLINE)               # commandList
    | AMP                            # background
    | (AND_IF | OR_IF)               # andOrList
    | REDIRECT                       # redirection
    | (LPAREN | RPAREN)              # subshell
    ;

piece
    : UNQUOTED                       # unquoted
    | ESCAPE                         # escaped
    | LINE_CONTINUATION              # lineContinuation
    | SQ_START SQ_TEXT? SQ_END       # singleQuoted
    | DQ_START dqPart* DQ_END        # doubleQuoted
    | GLOB                           # glob
    | BRACE                          # brace
    | DOLLAR                         # expansion
    | BACKTICK                       # commandSubstitution
    | LONE_BACKSLASH                 # trailingBackslash
    ;

dqPart
    : DQ_TEXT                        # dqText
    | DQ_ESCAPE                      # dqEscape
    | DQ_BACKSLASH                   # dqBackslash
    | DQ_DOLLAR                      # dqExpansion
    | DQ_BACKTICK                    # dqCommandSubstitution
    ;
