" Highlights every `.ward` file under examples/ with editors/vim and fails
" (exit code 1) when a keyword of the compiler (ward::syntax::KEYWORDS, read
" from src/syntax/mod.rs) outside a comment or string is not highlighted as a
" keyword, or when a visible character gets no syntax group at all.
" Run by editors/test.sh:
"   vim -N -u NONE -i NONE -n -es -S editors/vim-tests/check-examples.vim
let s:root = fnamemodify(expand('<sfile>:p'), ':h:h:h')
let &runtimepath = s:root . '/editors/vim,' . &runtimepath
filetype plugin on
syntax on

let s:keyword_groups = ['wardStatement', 'wardClause', 'wardFlow', 'wardSelectorOp', 'wardExceptGlued']
let s:prose_groups = ['wardComment', 'wardString', 'wardEscape', 'wardLabelEquals', 'wardLabelValue']

function! s:Keywords() abort
  let source = join(readfile(s:root . '/src/syntax/mod.rs'), "\n")
  let block = matchstr(source, 'pub const KEYWORDS: &\[&str\] = &\[\zs[^\]]*\ze\];')
  let words = []
  call substitute(block, '"\([^"]\+\)"', '\=add(words, submatch(1))', 'g')
  return words
endfunction

function! s:Group(line, col) abort
  return synIDattr(synID(a:line, a:col, 1), 'name')
endfunction

function! s:CheckBuffer(file, pattern) abort
  let problems = []
  let seen = 0
  for lnum in range(1, line('$'))
    let text = getline(lnum)
    let where = a:file . ':' . lnum . ':'
    let start = 0
    while 1
      let found = matchstrpos(text, a:pattern, start)
      if found[1] < 0
        break
      endif
      let group = s:Group(lnum, found[1] + 1)
      if index(s:prose_groups, group) < 0
        let seen += 1
        if index(s:keyword_groups, group) < 0
          call add(problems, where . (found[1] + 1) . ': keyword `' . found[0] . '` highlighted as ' . (group ==# '' ? 'nothing' : group))
        endif
      endif
      let start = found[2]
    endwhile
    for col in range(1, len(text))
      if text[col - 1] !~# '\s' && s:Group(lnum, col) ==# ''
        call add(problems, where . col . ': `' . text[col - 1] . '` has no syntax group')
        break
      endif
    endfor
  endfor
  return [problems, seen]
endfunction

function! s:Main() abort
  let keywords = s:Keywords()
  if empty(keywords)
    call writefile(['FAIL could not read ward::syntax::KEYWORDS from src/syntax/mod.rs'], '/dev/stdout', 'a')
    cquit
  endif
  let pattern = '\C\%(^\|[^[:alnum:]_.-]\)\@1<=\%(' . join(keywords, '\|') . '\)\%([[:alnum:]_-]\)\@!'
  let files = sort(glob(s:root . '/examples/**/*.ward', 0, 1))
  let out = []
  let [passed, failed, seen] = [0, 0, 0]
  for file in files
    execute 'silent edit ' . fnameescape(file)
    let name = strpart(file, len(s:root) + 1)
    if &filetype !=# 'ward'
      call add(out, 'FAIL ' . name . ': filetype is `' . &filetype . '`, not ward')
      let failed += 1
      continue
    endif
    let [problems, keywords_seen] = s:CheckBuffer(name, pattern)
    let seen += keywords_seen
    if empty(problems)
      let passed += 1
    else
      let failed += 1
      call extend(out, ['FAIL ' . name] + map(problems, '"  " . v:val'))
    endif
  endfor
  if empty(files) || seen == 0
    call add(out, 'FAIL no example or no keyword found')
    let failed += 1
  endif
  call add(out, seen . ' keywords checked in ' . len(files) . ' example files')
  call add(out, 'vim: ' . passed . ' passed, ' . failed . ' failed')
  call writefile(out, '/dev/stdout', 'a')
  if failed > 0
    cquit
  endif
endfunction

call s:Main()
qall!
