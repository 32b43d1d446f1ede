// Which `supaudit` executable to start. Pure: no `vscode` import, the file system is
// reached only through `isExecutable`, so `node --test` can check every case.
import * as path from "node:path";

export type ServerSource = "setting" | "bundled" | "path";

export interface ResolveInput {
  /** The `supaudit.path` setting (empty or undefined: not set). */
  configured?: string;
  /** The extension's install folder (the bundled binary is `server/supaudit` inside it). */
  extensionPath: string;
  /** The folder relative paths and `${workspaceFolder}` are taken from. */
  workspaceFolder?: string;
  /** The user's home folder, for `~` and `${userHome}`. */
  homeDir?: string;
  platform: NodeJS.Platform;
  /** The environment: `PATH` (and `PATHEXT` on Windows) are read. */
  env: Record<string, string | undefined>;
  /** True when `p` is a file this process may execute. */
  isExecutable: (p: string) => boolean;
}

export type Resolved =
  | { ok: true; command: string; source: ServerSource }
  | { ok: false; message: string; tried: string[] };

/** The bundled binary's path inside the extension. */
export function bundledServerPath(extensionPath: string, platform: NodeJS.Platform): string {
  const p = pathFor(platform);
  return p.join(extensionPath, "server", platform === "win32" ? "supaudit.exe" : "supaudit");
}

/**
 * The `supaudit.path` setting if set (it must then exist: no silent fallback), else the
 * binary bundled with the extension, else `supaudit` on PATH.
 */
export function resolveServerPath(input: ResolveInput): Resolved {
  const configured = (input.configured ?? "").trim();
  if (configured !== "") {
    const expanded = expandSetting(configured, input);
    if (!hasSeparator(expanded, input.platform)) {
      // A bare name such as `supaudit-dev`: look it up on PATH like a shell would.
      const found = searchPath(expanded, input);
      if (found.command !== undefined) {
        return { ok: true, command: found.command, source: "setting" };
      }
      return {
        ok: false,
        message: `supaudit.path is "${configured}", which is not an executable on PATH`,
        tried: found.tried,
      };
    }
    const p = pathFor(input.platform);
    const absolute = p.isAbsolute(expanded)
      ? expanded
      : input.workspaceFolder !== undefined
        ? p.resolve(input.workspaceFolder, expanded)
        : undefined;
    if (absolute === undefined) {
      return {
        ok: false,
        message: `supaudit.path is the relative path "${configured}" but no folder is open to resolve it from`,
        tried: [],
      };
    }
    if (input.isExecutable(absolute)) {
      return { ok: true, command: absolute, source: "setting" };
    }
    return {
      ok: false,
      message: `supaudit.path is "${configured}", but ${absolute} is not an executable file`,
      tried: [absolute],
    };
  }

  const bundled = bundledServerPath(input.extensionPath, input.platform);
  if (input.isExecutable(bundled)) {
    return { ok: true, command: bundled, source: "bundled" };
  }
  const found = searchPath("supaudit", input);
  if (found.command !== undefined) {
    return { ok: true, command: found.command, source: "path" };
  }
  return {
    ok: false,
    message:
      "no supaudit executable found: this build of the extension bundles none for this platform and `supaudit` is not on PATH. " +
      "Install it (`cargo install --path crates/supaudit`) or set supaudit.path.",
    tried: [bundled, ...found.tried],
  };
}

/** Expands `~`, `${userHome}` and `${workspaceFolder}` in the setting's value. */
export function expandSetting(value: string, input: Pick<ResolveInput, "homeDir" | "workspaceFolder" | "platform">): string {
  let v = value;
  if (input.homeDir !== undefined) {
    if (v === "~") {
      v = input.homeDir;
    } else if (v.startsWith("~/") || (input.platform === "win32" && v.startsWith("~\\"))) {
      v = pathFor(input.platform).join(input.homeDir, v.slice(2));
    }
    v = v.split("${userHome}").join(input.homeDir);
  }
  if (input.workspaceFolder !== undefined) {
    v = v.split("${workspaceFolder}").join(input.workspaceFolder);
  }
  return v;
}

function searchPath(name: string, input: ResolveInput): { command?: string; tried: string[] } {
  const win = input.platform === "win32";
  const p = pathFor(input.platform);
  const pathVar = win ? (input.env.PATH ?? input.env.Path ?? "") : (input.env.PATH ?? "");
  const dirs = pathVar.split(win ? ";" : ":").filter((d) => d !== "");
  const exts = win
    ? ["", ...(input.env.PATHEXT ?? ".EXE;.CMD;.BAT;.COM").split(";").filter((e) => e !== "")]
    : [""];
  const tried: string[] = [];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = p.join(dir, name + ext.toLowerCase());
      tried.push(candidate);
      if (input.isExecutable(candidate)) {
        return { command: candidate, tried };
      }
    }
  }
  return { tried };
}

function hasSeparator(value: string, platform: NodeJS.Platform): boolean {
  return value.includes("/") || (platform === "win32" && value.includes("\\"));
}

function pathFor(platform: NodeJS.Platform): typeof path.posix {
  return platform === "win32" ? path.win32 : path.posix;
}
