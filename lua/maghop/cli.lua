--- Command-line options and progress reporting for scripts.
-- Options are parsed with the argparse library (Debian `lua-argparse`,
-- rock `argparse`); `--help` lists every option with its description, unit
-- and default, then exits with status 0.
-- @module maghop.cli
local core = require "maghop.core"

local cli = {}

-- The error object of cli.fail: the maghop command prints its msg; plain
-- lua5.4 prints what __tostring gives (also without a traceback).
local usage_error = {__tostring = function(e) return e.msg end}

--- Stop with a usage error: the maghop command and plain lua5.4 print
-- `msg` alone (no traceback) and exit with status 1.
-- @string msg the message
function cli.fail(msg)
  error(setmetatable({msg = msg}, usage_error), 0)
end

-- The first comment lines of a script up to its "Usage:" line.
local function script_summary(path)
  local f = path and io.open(path, "r")
  if not f then return nil end
  local lines = {}
  for line in f:lines() do
    local text = line:match("^%-%-%s?(.*)$")
    if not text or text:match("^Usage:") then break end
    lines[#lines + 1] = text
  end
  f:close()
  return #lines > 0 and table.concat(lines, "\n") or nil
end

local function format_default(v)
  if type(v) == "string" then return v == "" and '""' or v end
  if math.type(v) == "float" then return ("%.10g"):format(v) end
  return tostring(v)
end

local function help_entry(help, key)
  local h = help and help[key]
  if type(h) == "string" then return h, nil end
  if type(h) == "table" then return h[1] or h.text, h[2] or h.unit end
  return nil, nil
end

--- Parse command-line arguments against a table of defaults.
-- Each key of `spec` is an option `--key` (underscores may be written as
-- hyphens, `--s1-pulses`): a boolean default makes a flag (`--quick`; a
-- default of true also gets `--no-key`), a number default takes a number
-- (`--seed 3` or `--seed=3`), a string default takes a string. Positional
-- arguments land in `opts[1..]`.
-- @tparam table spec option name → default value
-- @tparam[opt] table help option name → description, or `{description, unit}`
--   (e.g. `{width = {"pulse width", "s"}}`); `help[1]` (optional) is the
--   script's summary, by default the leading comment of the script file.
-- @tparam[opt=arg] table args the argument list
-- @treturn table opts: every key of `spec` with its value
-- @raise a usage error (an unknown option, a missing or non-numeric value)
--   that the maghop command prints without a traceback; `--help` prints the
--   help and exits with status 0.
function cli.parse(spec, help, args)
  if type(spec) ~= "table" then
    error(("cli.parse: spec must be a table of option defaults, got %s"):format(type(spec)), 2)
  end
  if help ~= nil and type(help) ~= "table" then
    error(("cli.parse: help must be a table of option descriptions, got %s"):format(type(help)), 2)
  end
  local ok_ap, argparse = pcall(require, "argparse")
  if not ok_ap then
    error("cli.parse needs the argparse library (Debian: apt-get install lua-argparse; "
      .. "LuaRocks: luarocks --lua-version=5.4 install argparse)", 2)
  end
  if args ~= nil and type(args) ~= "table" then
    error(("cli.parse: args must be a list of strings, got %s"):format(type(args)), 2)
  end
  args = args or arg or {}
  local name = (arg and arg[0] or "script"):match("[^/]*$")
  local parser = argparse(name, (help and help[1]) or script_summary(arg and arg[0]))
  parser:add_help(false)
  parser:help_max_width(100)
  parser:flag("-h --help", "Show this help (every option, its unit and default) and exit.")
    :action(function()
      io.stdout:write(parser:get_help(), "\n")
      io.stdout:flush()
      os.exit(0)
    end)
  local keys = {}
  for k in pairs(spec) do
    if type(k) ~= "string" or not k:match("^[%a][%w_]*$") then
      error(("cli.parse: option name %s must be an identifier"):format(tostring(k)), 2)
    end
    keys[#keys + 1] = k
  end
  table.sort(keys)
  for _, key in ipairs(keys) do
    local def = spec[key]
    local flag = "--" .. key:gsub("_", "-")
    local text, unit = help_entry(help, key)
    text = text or "(no description)"
    local kind = type(def)
    if kind == "boolean" then
      parser:flag(flag, text .. (def and " (default: on)" or ""))
      if def then parser:flag("--no-" .. key:gsub("_", "-"), "Turn " .. flag .. " off."):target("no_" .. key) end
    elseif kind == "number" or kind == "string" then
      local has_unit = unit and unit ~= ""
      local shown = format_default(def) .. (has_unit and (" " .. unit) or "")
      local o = parser:option(flag, ("%s (default: %s)"):format(text, shown)):target(key)
      if kind == "number" then
        o:argname(has_unit and ("<" .. unit .. ">") or "<number>")
        o:convert(function(v)
          local num = tonumber(v)
          if not num then return nil, ("option %s: number expected, got %q"):format(flag, v) end
          return num
        end)
      else
        o:argname("<" .. (has_unit and unit or "text") .. ">")
      end
    else
      error(("cli.parse: default of option %s must be a boolean, number or string, got %s"):format(key, kind), 2)
    end
  end
  parser:argument("args", "Positional arguments."):args("*"):hidden(true)
  -- underscores in option names are accepted as hyphens (--write_ns)
  local list = {}
  for i = 1, #args do
    local a = args[i]
    local nm, rest = a:match("^%-%-([%w_%-]+)(.*)$")
    if nm and (rest == "" or rest:sub(1, 1) == "=") then a = "--" .. nm:gsub("_", "-") .. rest end
    list[i] = a
  end
  local ok, res = parser:pparse(list)
  if not ok then cli.fail(("%s: %s (--help lists the options)\n%s"):format(name, res, parser:get_usage())) end
  local opts = {}
  for _, key in ipairs(keys) do
    local v = res[key]
    if v == nil then v = spec[key] end
    if type(spec[key]) == "boolean" then
      v = (res[key] or spec[key]) and not res["no_" .. key]
    end
    opts[key] = v
  end
  for i, a in ipairs(res.args or {}) do opts[i] = a end
  -- --quiet also silences the progress lines of film:run/relax/minimize
  if opts.quiet == true then core.set_progress(false) end
  return opts
end

--- Progress reporter: p = cli.progress(label, total, opts); p(done)
-- updates a line with percentage and ETA on stderr when it is a terminal and
-- the task is long (over opts.delay s, default 2); p.finish() ends the line
-- and returns the elapsed seconds. Silent when stderr is no terminal, after
-- mh.set_progress(false), with MAGHOP_PROGRESS=0 or with opts.quiet;
-- opts.force (unless quiet) shows it in every one of the other cases, as
-- progress = true does for film:run.
-- @tparam string label start of the line
-- @tparam number total units of work (>= 0)
-- @tparam[opt] table opts quiet (boolean), force (boolean), delay (s, [0, 3600])
-- @return a callable reporter with update(done) and finish()
-- @raise on a non-string label, a bad total or an unknown option
function cli.progress(label, total, opts)
  local args = require "maghop.args"
  args.type("cli.progress", "argument 'label'", label, "string")
  args.number("cli.progress", "argument 'total'", total, {min = 0})
  opts = args.options("cli.progress", opts, {"quiet", "force", "delay"})
  local delay = args.opt("cli.progress", opts, "delay", {min = 0, max = 3600, default = 2, unit = "s"})
  -- off when stderr is no terminal, after mh.set_progress(false) or with MAGHOP_PROGRESS=0, unless forced
  local quiet = opts.quiet or not (opts.force or core.progress_allowed())
  local t0 = core.wtime()
  local shown = false
  local obj = {}
  function obj.update(done)
    if quiet then return end
    local el = core.wtime() - t0
    if el < delay and not shown then return end
    shown = true
    local eta = done > 0 and el * (total - done) / done or 0
    io.stderr:write(("\r%s %5.1f%% (%d/%d) elapsed %.0fs eta %.0fs   "):format(
      label, 100 * done / total, done, total, el, eta))
    io.stderr:flush()
  end
  function obj.finish()
    if shown then io.stderr:write("\n") end
    return core.wtime() - t0
  end
  return setmetatable(obj, {__call = function(_, done) obj.update(done) end})
end

--- Print the one-line key=value summary of an example.
function cli.summary(pairs_list)
  if type(pairs_list) ~= "table" then error("cli.summary: argument 'pairs_list' must be a list of {key, value}", 2) end
  for k, kv in ipairs(pairs_list) do
    if type(kv) ~= "table" then error(("cli.summary: pairs_list[%d] must be {key, value}"):format(k), 2) end
  end
  local parts = {}
  for _, kv in ipairs(pairs_list) do parts[#parts + 1] = kv[1] .. "=" .. tostring(kv[2]) end
  print(table.concat(parts, " "))
end

return cli
