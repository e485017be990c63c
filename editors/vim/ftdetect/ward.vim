" Ward policy files.
autocmd BufNewFile,BufRead *.ward setfiletype ward
