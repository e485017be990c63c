" Vim syntax file
" Language:   Ward (Kubernetes network boundaries for SOC 2 audits)
" Filenames:  *.ward
"
" The keyword and protocol lists below are checked against the compiler's
" (ward::syntax::KEYWORDS and PROTOCOLS) by tests/editors.rs: keep every
" keyword in a `syn keyword` line, and spell no other word after `\<`.

if exists('b:current_syntax')
  finish
endif
let s:cpo_save = &cpo
set cpo&vim

syn case match
" A keyword is a whole name: `ports`, not `portsmouth` nor `ports-api`.
syn iskeyword @,48-57,_,-
syn sync fromstart

" ---- keywords -----------------------------------------------------------------
syn keyword wardStatement  system baseline namespace service external control
syn keyword wardClause     controls unmanaged pods ports except maps because
syn keyword wardFlow       flow deny
syn keyword wardSelectorOp in notin has

" ---- comments and strings -----------------------------------------------------
" A lone carriage return ends a line for the compiler (Vim shows it as ^M in a
" 'unix' buffer), so it ends a comment and an unterminated string here too.
syn match  wardComment "#[^\r]*" contains=@Spell
syn region wardString  start=+"+ skip=+\\.+ end=+"+ end=+$+ end=+\ze\r+ contains=wardEscape,@Spell
syn match  wardEscape  "\\." contained

" ---- names where they are defined ----------------------------------------------
syn match wardNamespaceName "\%(\<namespace\s\+\)\@20<=[[:alnum:]_-]\+"
syn match wardServiceName   "\%(\<service\s\+\)\@20<=[[:alnum:]_-]\+"
syn match wardExternalName  "\%(\<external\s\+\)\@20<=[[:alnum:]_-]\+" contained
syn match wardControlName   "\%(\<control\s\+\)\@20<=[[:alnum:]][[:alnum:]_.:()-]*" contains=wardCriterion
syn match wardBrace         "[{}]"

" ---- label selectors: `pods k=v, k in (a, b), k notin (a), has k, !k` ----------
" A clause starts at the blank after its keyword and ends before the next
" statement keyword, brace or string, so it may span lines.
syn region wardPods start="\%(\<pods\_s\+\)\@80<=\S" end="\ze\%([{}\"]\|\<\%(system\|baseline\|namespace\|service\|pods\|ports\|external\|control\|controls\|maps\|flow\|deny\|because\)\>\)"
      \ contains=wardComment,wardSelectorOp,wardLabelKey,wardLabelEquals,wardValueList,wardSelectorNot,wardComma
syn match  wardLabelKey    "[[:alnum:]_./-]\+" contained
syn match  wardLabelEquals "=\s*[[:alnum:]_.-]*" contained contains=wardSelectorEq
syn match  wardSelectorEq  "=" contained
syn match  wardSelectorNot "!" contained
syn region wardValueList   matchgroup=wardDelimiter start="(" end=")" contained contains=wardLabelValue,wardComma,wardComment
syn match  wardLabelValue  "[[:alnum:]_.-]\+" contained

" ---- ports: `ports http 8080, dns 53/udp, range 9000-9100` ----------------------
syn region wardPorts start="\%(\<ports\_s\+\)\@80<=\S" end="\ze\%([{}\"]\|\<\%(system\|baseline\|namespace\|service\|pods\|ports\|external\|control\|controls\|maps\|flow\|deny\|because\)\>\)"
      \ contains=wardComment,wardPortName,wardPortSpec,wardComma
syn match wardPortName "[[:alnum:]_-]\+" contained
syn match wardPortSpec "\<\d\+\%(-\d\+\)\=\%(/\a*\)\=" contained contains=wardProtocol,wardBadProtocol
syn match wardBadProtocol "\%(/\)\@1<=\a\+" contained
syn case ignore
syn keyword wardProtocol contained tcp udp sctp
syn case match

" ---- externals: `external NAME = CIDRS [except CIDRS]` --------------------------
syn region wardExternal start="\%(\<external\_s\+\)\@80<=\S" end="\ze\%([{}\"]\|\<\%(system\|baseline\|namespace\|service\|pods\|ports\|external\|control\|controls\|maps\|flow\|deny\|because\)\>\)"
      \ contains=wardComment,wardExternalName,wardCidr,wardClause,wardExceptGlued,wardEquals,wardComma
syn match wardCidr "\%([[:alnum:]_.:/-]\)\@1<![[:xdigit:].:]*[0-9:][[:xdigit:].:]*\%(/\d*\)\=" contained
" The parser reads `0.0.0.0/0except` as a CIDR and `except`.
syn match wardExceptGlued "\%(/\d*\)\@10<=except\>" contained
syn match wardEquals "=" contained

" ---- controls and criteria: `controls CC6.1, NET-01` and `maps CC6.6` -----------
syn region wardControls start="\%(\<\%(controls\|maps\)\_s\+\)\@80<=\S" end="\ze\%([{}\"]\|\<\%(system\|baseline\|namespace\|service\|pods\|ports\|external\|except\|control\|controls\|maps\|flow\|deny\|because\|unmanaged\|in\|notin\|has\)\>\)"
      \ contains=wardComment,wardControlId,wardCriterion,wardComma
syn match wardControlId "[[:alnum:]][[:alnum:]_.:()-]*" contained
" A SOC 2 criterion or point of focus: CC6.1, A1.2, PI1.3, P4.1, CC6.1.5, soc2:CC6.6.
syn match wardCriterion "\%([[:alnum:]_.:()-]\)\@1<!\%(soc2:\)\=\%(CC\|PI\|A\|C\|P\)\d\+\.\d\+\%(\.\d\+\)\=\%([[:alnum:]_.:()-]\)\@!" contained

" ---- flows and invariants: `flow A -> B[:PORT]`, `deny A -> B[:PORT]` -----------
syn region wardFlowStatement start="\%(\<\%(flow\|deny\)\_s\+\)\@80<=\S" end="\ze\%([{}\"]\|\<\%(system\|baseline\|namespace\|service\|pods\|ports\|external\|except\|control\|controls\|maps\|flow\|deny\|because\|unmanaged\|in\|notin\|has\)\>\)"
      \ contains=wardComment,wardExternalRef,wardNamespaceRef,wardServiceRef,wardWildcard,wardDot,wardArrow,wardPortColon
" A name alone is an external; `ns.svc`, `ns.*`, `*.*` name namespaces and services.
" A `-` that starts `->` ends a name (`a.web->b.db`).
syn match wardExternalRef  "\%([[:alnum:]_]\|->\@!\)\+" contained
syn match wardNamespaceRef "\%([[:alnum:]_]\|->\@!\)\+\ze\s*\." contained
syn match wardServiceRef   "\%(\.\s*\)\@10<=\%([[:alnum:]_]\|->\@!\)\+" contained
syn match wardWildcard     "\*" contained
syn match wardDot          "\." contained
syn match wardArrow        "->" contained
syn match wardPortColon    ":" contained nextgroup=wardWildcard,wardPortRef,wardPortSpec skipwhite
syn match wardPortRef      "[[:alpha:]_-][[:alnum:]_-]*" contained

syn match wardComma "," contained

" ---- colours --------------------------------------------------------------------
hi def link wardStatement     Statement
hi def link wardClause        Keyword
hi def link wardExceptGlued   Keyword
hi def link wardFlow          Statement
hi def link wardSelectorOp    Operator
hi def link wardSelectorEq    Operator
hi def link wardSelectorNot   Operator
hi def link wardComment       Comment
hi def link wardString        String
hi def link wardEscape        SpecialChar
hi def link wardNamespaceName Type
hi def link wardNamespaceRef  Type
hi def link wardServiceName   Function
hi def link wardServiceRef    Function
hi def link wardExternalName  Identifier
hi def link wardExternalRef   Identifier
hi def link wardControlName   Constant
hi def link wardControlId     Constant
hi def link wardCriterion     Special
hi def link wardLabelKey      Identifier
hi def link wardLabelEquals   String
hi def link wardLabelValue    String
hi def link wardPortName      Label
hi def link wardPortRef       Label
hi def link wardPortSpec      Number
hi def link wardProtocol      Type
hi def link wardBadProtocol   Error
hi def link wardCidr          Number
hi def link wardWildcard      Special
hi def link wardArrow         Operator
hi def link wardEquals        Operator
hi def link wardDot           Delimiter
hi def link wardPortColon     Delimiter
hi def link wardComma         Delimiter
hi def link wardDelimiter     Delimiter
hi def link wardBrace         Delimiter

let b:current_syntax = 'ward'

let &cpo = s:cpo_save
unlet s:cpo_save
