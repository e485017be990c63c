#!/usr/bin/env node
// Checks that the extension starts `ward lsp` for `.ward` files with the
// binary `ward.path` names (or `ward`), by loading it with stand-ins for the
// `vscode` and `vscode-languageclient` modules, as VS Code would call it.
'use strict';

const assert = require('assert');
const Module = require('module');
const path = require('path');

const started = [];
let setting;
const fakeVscode = {
  workspace: {
    getConfiguration: (section) => ({ get: (key) => (section === 'ward' && key === 'path' ? setting : undefined) }),
    onDidChangeConfiguration: () => ({ dispose() {} }),
  },
  commands: { registerCommand: (name) => ({ name, dispose() {} }), executeCommand() {} },
  window: {},
};
class FakeClient {
  constructor(id, name, server, options) {
    Object.assign(this, { id, name, server, options });
  }
  start() {
    started.push(this);
    return Promise.resolve();
  }
  stop() {
    return Promise.resolve();
  }
}
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === 'vscode') return fakeVscode;
  if (request === 'vscode-languageclient/node') return { LanguageClient: FakeClient };
  return load.call(this, request, ...rest);
};
const manifest = require(path.resolve(__dirname, '..', 'package.json'));
const extension = require(path.resolve(__dirname, '..', manifest.main));

const cases = [
  ['starts `ward lsp` by default', () => {
    setting = undefined;
    const context = { subscriptions: [] };
    extension.activate(context);
    const client = started.pop();
    assert.deepStrictEqual(client.server.run, { command: 'ward', args: ['lsp'] });
    assert.deepStrictEqual(client.options.documentSelector, [{ scheme: 'file', language: 'ward' }]);
    assert.ok(context.subscriptions.some((s) => s.name === 'ward.explain'));
  }],
  ['starts the binary `ward.path` names', () => {
    setting = '/opt/ward/bin/ward';
    extension.activate({ subscriptions: [] });
    assert.deepStrictEqual(started.pop().server.run, { command: '/opt/ward/bin/ward', args: ['lsp'] });
  }],
  ['declares the setting and activates on the language', () => {
    const property = manifest.contributes.configuration.properties['ward.path'];
    assert.strictEqual(property.type, 'string');
    assert.strictEqual(property.default, 'ward');
    assert.ok(manifest.activationEvents.includes('onLanguage:ward'));
    assert.ok(manifest.contributes.commands.some((c) => c.command === 'ward.explain'));
  }],
];

let failed = 0;
for (const [name, run] of cases) {
  try {
    run();
  } catch (error) {
    failed++;
    console.log(`FAIL extension: ${name}\n  ${error.message.split('\n').join('\n  ')}`);
  }
}
console.log(`extension: ${cases.length - failed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
