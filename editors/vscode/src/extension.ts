// The supaudit extension: starts `supaudit lsp` and shows its state in the status bar.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  LanguageClient,
  RevealOutputChannelOn,
  State,
  type DocumentSelector,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";
import { resolveServerPath, type ServerSource } from "./serverPath";

const CLIENT_ID = "supaudit"; // also the prefix of the `supaudit.trace.server` setting

/** Every file kind the server reads; `file` scheme only (the server reads the project from disk). */
export const DOCUMENT_SELECTOR: DocumentSelector = [
  ...["sql", "typescript", "typescriptreact", "javascript", "javascriptreact", "toml", "dotenv"].map(
    (language) => ({ scheme: "file", language }),
  ),
  // `.env`, `.env.local`, … whatever language VS Code gives them (plaintext without an extension).
  { scheme: "file", pattern: "**/.env*" },
  // TOML files when no TOML extension is installed (they are then plaintext).
  { scheme: "file", pattern: "**/supaudit.toml" },
  { scheme: "file", pattern: "**/supabase/config.toml" },
];

type Status = "starting" | "running" | "stopped" | "disabled" | "error";

let output: vscode.LogOutputChannel;
let statusItem: vscode.StatusBarItem;
let client: LanguageClient | undefined;
let serverInfo = "";
/** The last `supaudit/status` of the running server: readiness score and counts. */
interface ServerStatus {
  score: number;
  errors: number;
  warnings: number;
  infos: number;
}
let lastStatus: ServerStatus | undefined;
/** The workspace folder the running server checks (its URI). */
let serverFolder: string | undefined;
/** Start and stop run one at a time, in order. */
let queue: Promise<void> = Promise.resolve();
/** True while we stop the client ourselves (a stop is then not an error). */
let stopping = false;

export function activate(context: vscode.ExtensionContext): void {
  output = vscode.window.createOutputChannel("supaudit", { log: true });
  statusItem = vscode.window.createStatusBarItem("supaudit.status", vscode.StatusBarAlignment.Left, 0);
  statusItem.name = "supaudit";
  statusItem.command = "supaudit.showOutput";
  context.subscriptions.push(output, statusItem);

  context.subscriptions.push(
    vscode.commands.registerCommand("supaudit.showOutput", () => output.show(true)),
    vscode.commands.registerCommand("supaudit.restart", () => {
      if (!enabled()) {
        void vscode.window.showInformationMessage("supaudit is disabled in this workspace (setting supaudit.enable).");
        return enqueue(stop);
      }
      output.info("restart requested");
      return enqueue(async () => {
        await stop();
        await start(context);
      });
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("supaudit.enable") || e.affectsConfiguration("supaudit.path")) {
        void enqueue(async () => {
          await stop();
          if (enabled()) {
            await start(context);
          }
        });
      }
    }),
    // A folder holding `supabase/` added to (or removed from) the workspace: check that one.
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      if (enabled() && projectFolder()?.uri.toString() !== serverFolder) {
        void enqueue(async () => {
          await stop();
          await start(context);
        });
      }
    }),
    // Trusting the workspace can change the effective `supaudit.path` (a restricted setting).
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      if (enabled()) {
        void enqueue(async () => {
          await stop();
          await start(context);
        });
      }
    }),
  );

  if (enabled()) {
    void enqueue(() => start(context));
  } else {
    setStatus("disabled");
  }
}

export function deactivate(): Promise<void> {
  return enqueue(stop);
}

function enqueue(task: () => Promise<void>): Promise<void> {
  queue = queue.then(task, task).catch((e: unknown) => {
    output.error(errorText(e));
  });
  return queue;
}

function enabled(): boolean {
  return vscode.workspace.getConfiguration("supaudit").get<boolean>("enable", true);
}

/** The folder the server checks: the first one holding `supabase/` or `supaudit.toml`. */
function projectFolder(): vscode.WorkspaceFolder | undefined {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const local = folders.filter((f) => f.uri.scheme === "file");
  const isProject = (f: vscode.WorkspaceFolder): boolean => {
    const dir = f.uri.fsPath;
    return (
      path.basename(dir) === "supabase" ||
      fs.existsSync(path.join(dir, "supabase")) ||
      fs.existsSync(path.join(dir, "supaudit.toml"))
    );
  };
  return local.find(isProject) ?? local[0];
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  setStatus("starting");
  const folder = projectFolder();
  serverFolder = folder?.uri.toString();
  const resolved = resolveServerPath({
    configured: vscode.workspace.getConfiguration("supaudit", folder).get<string>("path", ""),
    extensionPath: context.extensionPath,
    workspaceFolder: folder?.uri.fsPath,
    homeDir: os.homedir(),
    platform: process.platform,
    env: process.env,
    isExecutable,
  });
  if (!resolved.ok) {
    output.error(resolved.message);
    for (const p of resolved.tried) {
      output.info(`  tried ${p}`);
    }
    setStatus("error", resolved.message);
    void vscode.window
      .showErrorMessage(`supaudit: ${resolved.message}`, "Open Settings", "Show Output")
      .then((choice) => {
        if (choice === "Open Settings") {
          void vscode.commands.executeCommand("workbench.action.openSettings", "supaudit.path");
        } else if (choice === "Show Output") {
          output.show(true);
        }
      });
    return;
  }

  serverInfo = `${resolved.command} lsp (${describe(resolved.source)})`;
  output.info(`starting ${serverInfo}${folder ? ` in ${folder.uri.fsPath}` : ""}`);
  const serverOptions: ServerOptions = {
    command: resolved.command,
    args: ["lsp"],
    // No `transport`: TransportKind.stdio would append `--stdio`, which `supaudit lsp` rejects.
    options: folder ? { cwd: folder.uri.fsPath } : {},
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    workspaceFolder: folder,
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationFailedHandler: (error) => {
      output.error(`initialization failed: ${errorText(error)}`);
      return false;
    },
  };
  const c = new LanguageClient(CLIENT_ID, "supaudit", serverOptions, clientOptions);
  client = c;
  lastStatus = undefined;
  // Sent by the server after each check: the audit report's readiness score, for the status bar.
  c.onNotification("supaudit/status", (p: ServerStatus) => {
    if (client !== c) {
      return;
    }
    lastStatus = p;
    setStatus("running");
  });
  c.onDidChangeState((e) => {
    if (client !== c) {
      return;
    }
    switch (e.newState) {
      case State.Starting:
        setStatus("starting");
        break;
      case State.Running:
        setStatus("running");
        break;
      case State.Stopped:
        // Stopped without us asking: the server exited and the client gave up restarting it.
        setStatus(stopping ? "stopped" : "error", stopping ? undefined : "the server stopped; see the output");
        break;
    }
  });
  try {
    await c.start();
  } catch (e) {
    output.error(`cannot start ${serverInfo}: ${errorText(e)}`);
    setStatus("error", errorText(e));
    if (client === c) {
      client = undefined;
    }
    try {
      await c.dispose(2000);
    } catch {
      // already gone
    }
  }
}

async function stop(): Promise<void> {
  const c = client;
  if (c === undefined) {
    setStatus(enabled() ? "stopped" : "disabled");
    return;
  }
  stopping = true;
  try {
    if (c.isRunning()) {
      await c.stop(2000);
    }
    await c.dispose(2000);
  } catch (e) {
    output.warn(`stopping the server: ${errorText(e)}`);
  } finally {
    stopping = false;
    client = undefined;
    setStatus(enabled() ? "stopped" : "disabled");
  }
}

function setStatus(status: Status, detail?: string): void {
  const icon: Record<Status, string> = {
    starting: "$(sync~spin)",
    running: "$(shield)",
    stopped: "$(circle-slash)",
    disabled: "$(circle-slash)",
    error: "$(error)",
  };
  const score = status === "running" && lastStatus ? ` ${lastStatus.score.toFixed(1)}/10` : "";
  statusItem.text = `${icon[status]} supaudit${score}`;
  statusItem.backgroundColor =
    status === "error" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  const lines = [`supaudit: ${status}`];
  if (detail) {
    lines.push(detail);
  }
  if (status === "running" && lastStatus) {
    const { score, errors, warnings, infos } = lastStatus;
    lines.push(
      `Readiness ${score.toFixed(1)} / 10 (the score of \`supaudit report\`): ` +
        `${errors} errors, ${warnings} warnings, ${infos} info`,
    );
  }
  if (serverInfo && status !== "disabled") {
    lines.push(serverInfo);
  }
  lines.push("Click to show the output");
  statusItem.tooltip = lines.join("\n");
  statusItem.show();
}

function describe(source: ServerSource): string {
  return { setting: "from supaudit.path", bundled: "bundled", path: "from PATH" }[source];
}

function isExecutable(p: string): boolean {
  try {
    if (!fs.statSync(p).isFile()) {
      return false;
    }
    fs.accessSync(p, process.platform === "win32" ? fs.constants.F_OK : fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
