-- Drives `supaudit lsp` from Neovim 0.7 (headless); run by scripts/nvim-lsp-test.sh.
-- Prints "ok <step>" lines, or "FAIL <reason>" and exits 1.
local bin = os.getenv("SUPAUDIT_BIN")
local root = os.getenv("SUPAUDIT_ROOT")
local function out(s) io.stdout:write(s .. "\n") end
local function fail(msg)
  out("FAIL " .. msg)
  io.stdout:flush()
  os.exit(1)
end

local exit_code = nil
local client_id = vim.lsp.start_client({
  name = "supaudit",
  cmd = { bin, "lsp" },
  root_dir = root,
  workspace_folders = { { uri = vim.uri_from_fname(root), name = "studio" } },
  on_exit = function(code) exit_code = code end,
})
if not client_id then fail("start_client returned nil") end
local buf = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(buf, client_id)

local function find(diags, rule)
  for _, d in ipairs(diags) do
    if d.code == rule then return d end
  end
end
local function wait_for(what, bufnr, pred)
  local found
  local ok = vim.wait(15000, function()
    found = pred(vim.diagnostic.get(bufnr))
    return found ~= nil and found ~= false
  end, 20)
  if not ok then fail("timed out waiting for " .. what) end
  out("ok " .. what)
  return found
end

-- 1. rls-disabled on the open migration, with a link to its docs.
local rls = wait_for("rls-disabled on the open migration", buf, function(d) return find(d, "rls-disabled") end)
local href = rls.user_data.lsp.codeDescription.href
if href ~= "https://github.com/supaudit/supaudit/blob/main/docs/rules/rls-disabled.md" then fail("href " .. href) end
if rls.source ~= "supaudit" then fail("source " .. tostring(rls.source)) end

-- 2. Another migration, not open, gets its diagnostics too.
local sharing = vim.uri_to_bufnr(vim.uri_from_fname(root .. "/supabase/migrations/20260120093000_integrations_and_sharing.sql"))
wait_for("diagnostics on a migration that is not open", sharing, function(d) return find(d, "policy-exists-rls-disabled") end)

-- 3. Code actions for the diagnostic; apply the RLS quick fix; the finding disappears.
local function actions_at(lnum, bufnr)
  bufnr = bufnr or buf
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = lnum, character = 0 }, ["end"] = { line = lnum, character = 0 } },
    context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr, lnum) },
  }
  local res = vim.lsp.buf_request_sync(bufnr, "textDocument/codeAction", params, 10000)
  if not res or not res[client_id] or not res[client_id].result then fail("no code action response") end
  return res[client_id].result
end
local fix
for _, a in ipairs(actions_at(rls.lnum)) do
  if a.title:find("^Enable row level security") then fix = a end
end
if not fix then fail("no 'Enable row level security' quick fix") end
vim.lsp.util.apply_workspace_edit(fix.edit, "utf-16")
wait_for("rls-disabled gone after the quick fix", buf, function(d) return find(d, "rls-disabled") == nil end)

-- 4. Non-ASCII before a finding: Neovim maps the server's UTF-16 columns to byte 13.
vim.api.nvim_buf_set_lines(buf, 0, 0, false, { '/* 😀é */ create table public."café" (id bigint primary key);' })
local d = wait_for("rls-disabled after a non-ASCII comment", buf, function(ds)
  local x = find(ds, "rls-disabled")
  return x and x.lnum == 0 and x
end)
if d.col ~= 13 then fail("expected byte column 13, got " .. d.col) end
out("ok UTF-16 columns")

-- 5. The suppression action silences it.
local ignore
for _, a in ipairs(actions_at(0)) do
  if a.title == "Ignore rls-disabled for this statement" then ignore = a end
end
if not ignore then fail("no ignore action") end
vim.lsp.util.apply_workspace_edit(ignore.edit, "utf-16")
wait_for("rls-disabled ignored", buf, function(ds) return find(ds, "rls-disabled") == nil end)

-- 6. A client file: opened in a buffer, it gets client-unknown-column on the select that
--    names a column no migration created, and the ignore action for the line clears it.
vim.cmd("edit " .. root .. "/src/app/dashboard/page.tsx")
local page = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(page, client_id)
local col = wait_for("client-unknown-column on the client file", page, function(ds)
  local x = find(ds, "client-unknown-column")
  return x and x
end)
local line = vim.api.nvim_buf_get_lines(page, col.lnum, col.lnum + 1, false)[1]
if line:sub(col.col + 1, col.end_col) ~= "current_streak" then fail("range covers " .. line:sub(col.col + 1, col.end_col)) end
wait_for("query-in-loop on the client file", page, function(ds) return find(ds, "query-in-loop") end)
local ignore_line
for _, a in ipairs(actions_at(col.lnum, page)) do
  if a.title == "Ignore client-unknown-column for this line" then ignore_line = a end
end
if not ignore_line then fail("no ignore action on the client file") end
vim.lsp.util.apply_workspace_edit(ignore_line.edit, "utf-16")
wait_for("client-unknown-column ignored", page, function(ds) return find(ds, "client-unknown-column") == nil end)

-- 7. shutdown + exit: the server ends with 0.
vim.lsp.stop_client(client_id)
if not vim.wait(5000, function() return exit_code ~= nil end, 20) then fail("server did not exit") end
if exit_code ~= 0 then fail("server exit code " .. exit_code) end
out("ok server exited with 0")
io.stdout:flush()
os.exit(0)
