" Vim filetype plugin for Ward: comments start with `#`.
if exists('b:did_ftplugin')
  finish
endif
let b:did_ftplugin = 1

setlocal comments=:# commentstring=#\ %s
setlocal iskeyword=@,48-57,_,-
let b:undo_ftplugin = 'setlocal comments< commentstring< iskeyword<'
