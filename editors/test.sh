#!/usr/bin/env bash
# Tests the editor support for `.ward` files, from any working directory.
# Needs Node 20 or later and npm (and the npm registry, for `npm ci`); Vim is
# used when it is installed.
#
#   - the VS Code grammar's annotated tests (editors/vscode/tests/*.test.ward,
#     run by vscode-tmgrammar-test);
#   - every example under examples/ tokenized as VS Code would, then
#     highlighted by Vim: each keyword of the compiler is highlighted as a
#     keyword and no character is left without a scope;
#   - the VS Code language configuration's patterns.
#
# That both grammars name exactly the compiler's keywords and protocols is
# checked by `cargo test --test editors`.
set -euo pipefail
editors="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

echo "--- editors: npm ci"
cd "$editors/vscode"
npm ci --no-audit --no-fund --loglevel=error

echo "--- editors: VS Code grammar and configuration"
npm test --silent

echo "--- editors: Vim syntax"
if command -v vim >/dev/null 2>&1; then
  vim -N -u NONE -i NONE -n -es -S "$editors/vim-tests/check-examples.vim" </dev/null
else
  echo "vim is not installed: Vim syntax check skipped"
fi
