#!/usr/bin/env node
// Tokenizes every `.ward` file under the repository's `examples/` with the
// TextMate grammar, as VS Code would, and fails when
//   - a keyword of the compiler (ward::syntax::KEYWORDS, read from
//     src/syntax/mod.rs) appears outside a comment or string without a
//     `keyword.*` scope, or
//   - any other visible character gets no scope of its own (a hole in the
//     grammar).
// `node tests/check-examples.js DIR...` checks other folders instead;
// `node tests/check-examples.js --dump FILE...` prints the tokens of files.
'use strict';

const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const root = path.resolve(__dirname, '..', '..', '..');
const grammarPath = path.resolve(__dirname, '..', 'syntaxes', 'ward.tmLanguage.json');

function compilerKeywords() {
  const source = fs.readFileSync(path.join(root, 'src', 'syntax', 'mod.rs'), 'utf8');
  const block = /pub const KEYWORDS: &\[&str\] = &\[([^\]]*)\];/.exec(source);
  if (!block) throw new Error('could not find `pub const KEYWORDS` in src/syntax/mod.rs');
  const keywords = [...block[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]);
  if (keywords.length === 0) throw new Error('ward::syntax::KEYWORDS is empty');
  return keywords;
}

function wardFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...wardFiles(full));
    else if (entry.name.endsWith('.ward')) out.push(full);
  }
  return out.sort();
}

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== 'source.ward') return null;
      return vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath);
    },
  });
  return registry.loadGrammar('source.ward');
}

// Yields, line by line, the tokens of a file: { line, start, end, text, scopes }.
function* tokenize(grammar, text) {
  let state = vsctm.INITIAL;
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const result = grammar.tokenizeLine(lines[i], state);
    for (const token of result.tokens) {
      const end = Math.min(token.endIndex, lines[i].length);
      yield { line: i + 1, start: token.startIndex, end, text: lines[i].slice(token.startIndex, end), scopes: token.scopes };
    }
    state = result.ruleStack;
  }
}

function isProse(scopes) {
  return scopes.some((s) => s.startsWith('comment.') || s.startsWith('string.'));
}

function checkFile(grammar, file, keywords) {
  const problems = [];
  let keywordsSeen = 0;
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split(/\r\n|\r|\n/);
  // Per line, the scopes of each character.
  const scopesAt = lines.map(() => []);
  for (const token of tokenize(grammar, text)) {
    for (let c = token.start; c < token.end; c++) scopesAt[token.line - 1][c] = token.scopes;
  }
  const wordPattern = new RegExp(`(?<![A-Za-z0-9_.-])(?:${keywords.join('|')})(?![A-Za-z0-9_-])`, 'g');
  lines.forEach((line, i) => {
    const where = (col) => `${path.relative(root, file)}:${i + 1}:${col + 1}`;
    for (const match of line.matchAll(wordPattern)) {
      const scopes = scopesAt[i][match.index] || [];
      if (isProse(scopes)) continue;
      keywordsSeen++;
      for (let c = match.index; c < match.index + match[0].length; c++) {
        const s = scopesAt[i][c] || [];
        if (!s.some((scope) => scope.startsWith('keyword.'))) {
          problems.push(`${where(c)}: keyword \`${match[0]}\` tokenized as [${s.join(' ')}]`);
          break;
        }
      }
    }
    for (let c = 0; c < line.length; c++) {
      const s = scopesAt[i][c] || [];
      if (/\s/.test(line[c])) continue;
      if (s.length <= 1) {
        problems.push(`${where(c)}: \`${line[c]}\` has no scope (in ${JSON.stringify(line)})`);
        break;
      }
    }
  });
  return { problems, keywordsSeen };
}

async function main() {
  const grammar = await loadGrammar();
  const args = process.argv.slice(2);
  if (args[0] === '--dump') {
    for (const file of args.slice(1)) {
      for (const t of tokenize(grammar, fs.readFileSync(file, 'utf8'))) {
        if (t.text.trim()) console.log(`${t.line}:${t.start} ${JSON.stringify(t.text)} ${t.scopes.slice(1).join(' ')}`);
      }
    }
    return;
  }
  const keywords = compilerKeywords();
  const dirs = args.length > 0 ? args.map((dir) => path.resolve(dir)) : [path.join(root, 'examples')];
  const files = dirs.flatMap(wardFiles);
  if (files.length === 0) throw new Error(`no .ward files under ${dirs.join(', ')}`);
  let passed = 0;
  let failed = 0;
  let keywordsSeen = 0;
  for (const file of files) {
    const result = checkFile(grammar, file, keywords);
    keywordsSeen += result.keywordsSeen;
    if (result.problems.length === 0) {
      passed++;
    } else {
      failed++;
      console.log(`FAIL ${path.relative(root, file)}`);
      for (const problem of result.problems) console.log(`  ${problem}`);
    }
  }
  if (keywordsSeen === 0) {
    console.log('FAIL no keyword was found in the examples: is the keyword list read correctly?');
    failed++;
  }
  console.log(`${keywordsSeen} keywords checked in ${files.length} example files`);
  console.log(`examples: ${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
