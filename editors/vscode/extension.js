// Starts `ward lsp` for `.ward` files: diagnostics as you type, hover, go to
// definition, references, completion, rename, quick fixes, the outline,
// formatting and semantic tokens. Highlighting stays with the TextMate
// grammar. The binary is `ward` on the PATH unless the setting `ward.path`
// names another.
'use strict';

const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');
const { execFile } = require('child_process');

let client;

/** The `ward` binary the settings name. */
function wardPath() {
  const configured = vscode.workspace.getConfiguration('ward').get('path');
  return typeof configured === 'string' && configured.trim() !== '' ? configured : 'ward';
}

/** Shows `ward explain CODE` (a diagnostic's code links here) in an editor tab. */
function explain(code) {
  if (!/^[EW][0-9]{4}$/.test(String(code))) {
    return;
  }
  execFile(wardPath(), ['explain', String(code)], (error, stdout, stderr) => {
    const content = error ? `\`${wardPath()} explain ${code}\` failed: ${stderr || error.message}` : stdout;
    vscode.workspace
      .openTextDocument({ language: 'markdown', content })
      .then((document) => vscode.window.showTextDocument(document, { preview: true }));
  });
}

function activate(context) {
  const server = { command: wardPath(), args: ['lsp'] };
  client = new LanguageClient(
    'ward',
    'Ward',
    { run: server, debug: server },
    { documentSelector: [{ scheme: 'file', language: 'ward' }] },
  );
  context.subscriptions.push(vscode.commands.registerCommand('ward.explain', explain));
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('ward.path')) {
        vscode.commands.executeCommand('workbench.action.restartExtensionHost');
      }
    }),
  );
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate, wardPath };
