import * as vscode from 'vscode';
import { initProject } from '../../core/project/init';
import type { KimballSession } from '../session';
import { guarded, runTask } from '../run-task';

export function registerProjectCommands(session: KimballSession): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(
      'kimball.initProject',
      guarded(session, 'Initialize Project', async () => {
        const r = await runTask(session, 'Initialize Project', async ({ progress }) => {
          progress.report({ message: 'starting the warehouse…' });
          await session.resetWarehouse();
          return initProject(session.root, () => session.warehouse());
        });
        if (!r) return;
        await vscode.commands.executeCommand('setContext', 'kimball.projectOpen', true);
        session.fire('project');
        session.log.info(`Initialized ${r.projectFile}; ClickHouse ${r.version}; databases ${r.databases.join(', ')}`);
        void vscode.window.showInformationMessage(
          `Kimball project ready: ClickHouse ${r.version}, databases ${r.databases.join(', ')}.`,
        );
      }),
    ),
    vscode.commands.registerCommand(
      'kimball.testWarehouse',
      guarded(session, 'Test Warehouse Connection', async () => {
        const version = await runTask(session, 'Test Warehouse Connection', async () => {
          await session.resetWarehouse();
          return (await session.warehouse()).version();
        });
        if (version) {
          const wh = await session.warehouse();
          void vscode.window.showInformationMessage(`Kimball: connected to the ${wh.mode} warehouse (ClickHouse ${version}).`);
        }
      }),
    ),
    vscode.commands.registerCommand(
      'kimball.setWarehousePassword',
      guarded(session, 'Set Warehouse Password', async () => {
        const pw = await vscode.window.showInputBox({
          title: 'ClickHouse password',
          prompt: 'Stored in VS Code secret storage, never in a file.',
          password: true,
          ignoreFocusOut: true,
        });
        if (pw === undefined) return;
        await session.setWarehousePassword(pw);
        await session.resetWarehouse();
        session.fire('warehouse');
      }),
    ),
    vscode.commands.registerCommand('kimball.refreshWarehouse', () => session.fire('warehouse')),
    vscode.commands.registerCommand(
      'kimball.runSql',
      guarded(session, 'Run SQL Query', async () => {
        const sql = await vscode.window.showInputBox({
          title: 'Kimball: Run SQL Query',
          prompt: 'One statement against the warehouse; the result opens as a document.',
          placeHolder: 'SELECT count() FROM bronze.shop__orders',
          ignoreFocusOut: true,
        });
        if (!sql) return;
        const text = await runTask(session, 'Run SQL Query', async ({ signal }) =>
          (await session.warehouse()).queryText(sql, 'PrettyCompactNoEscapes', { signal }),
        );
        if (text === undefined) return;
        const doc = await vscode.workspace.openTextDocument({ content: `-- ${sql}\n${text}`, language: 'plaintext' });
        await vscode.window.showTextDocument(doc, { preview: true });
        session.fire('warehouse');
      }),
    ),
  ];
}
