#!/usr/bin/env node
// Checks that the language configuration's patterns compile as VS Code
// compiles them (JavaScript regular expressions) and indent as intended.
'use strict';

const fs = require('fs');
const path = require('path');
const assert = require('assert');

const config = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'language-configuration.json'), 'utf8'));
const increase = new RegExp(config.indentationRules.increaseIndentPattern);
const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
const word = new RegExp(config.wordPattern, 'g');

const cases = [
  ['indents after an open block', () => assert.ok(increase.test('namespace shop {'))],
  ['indents after an open block and a comment', () => assert.ok(increase.test('namespace kube-system unmanaged {   # referenced'))],
  ['does not indent after a one-line block', () => assert.ok(!increase.test('  service web { pods app=web  ports http 8080 }'))],
  ['does not indent after a brace in a comment', () => assert.ok(!increase.test('flow a -> b   # see {x'))],
  ['outdents a closing brace', () => assert.ok(decrease.test('  }'))],
  ['keeps names, ids and addresses whole', () =>
    assert.deepStrictEqual('kube-system.dns CC6.1 soc2:CC6.6 NET-01 10.0.0.0/8'.match(word),
      ['kube-system', 'dns', 'CC6.1', 'soc2:CC6.6', 'NET-01', '10.0.0.0', '8'])],
  ['lists the brackets and the line comment', () => {
    assert.strictEqual(config.comments.lineComment, '#');
    assert.deepStrictEqual(config.brackets, [['{', '}'], ['(', ')']]);
    assert.ok(config.autoClosingPairs.some((p) => p.open === '"'));
  }],
];

let failed = 0;
for (const [name, run] of cases) {
  try {
    run();
  } catch (error) {
    failed++;
    console.log(`FAIL language configuration: ${name}\n  ${error.message.split('\n').join('\n  ')}`);
  }
}
console.log(`configuration: ${cases.length - failed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
