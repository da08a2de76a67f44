--- Command-line options and progress reporting for example scripts.
local core = require "maghop.core"

local cli = {}

--- Stop with a usage error: the maghop command prints `msg` alone (no
-- traceback) and exits with status 1.
function cli.fail(msg)
  error({msg = msg}, 0)
end

--- Parse `args` (default: the global arg) against a spec table of defaults:
-- booleans become flags (--quick), others take a value (--model twin,
-- --seed 3 or --seed=3; numbers are converted). Unknown options raise with
-- the list of accepted ones. Positional arguments go to opts[1..].
function cli.parse(spec, args)
  args = args or arg or {}
  local opts = {}
  for k, v in pairs(spec) do opts[k] = v end
  local i = 1
  while i <= #args do
    local a = args[i]
    local key, val = a:match("^%-%-([%w_%-]+)=(.*)$")
    key = key or a:match("^%-%-([%w_%-]+)$")
    if key then
      key = key:gsub("%-", "_")
      if spec[key] == nil then
        local names = {}
        for k in pairs(spec) do names[#names + 1] = "--" .. k:gsub("_", "-") end
        table.sort(names)
        cli.fail(("unknown option --%s (accepted: %s)"):format(key, table.concat(names, " ")))
      end
      if type(spec[key]) == "boolean" and not val then
        opts[key] = true
      else
        if not val then i = i + 1; val = args[i] end
        if val == nil then cli.fail(("option --%s needs a value"):format(key)) end
        if type(spec[key]) == "number" then
          local num = tonumber(val)
          if not num then cli.fail(("option --%s: number expected, got %q"):format(key, val)) end
          val = num
        end
        opts[key] = val
      end
    else
      opts[#opts + 1] = a
    end
    i = i + 1
  end
  return opts
end

local stderr_is_tty
local function is_tty()
  if stderr_is_tty == nil then
    stderr_is_tty = os.execute("test -t 2") == true
  end
  return stderr_is_tty
end

--- Progress reporter: p = cli.progress(label, total, {quiet=}); p(done)
-- updates a line with percentage and ETA on stderr when it is a terminal and
-- the task is long (over 2 s); p:done() ends the line.
function cli.progress(label, total, opts)
  local quiet = (opts and opts.quiet) or not is_tty()
  local t0 = core.wtime()
  local shown = false
  local obj = {}
  function obj.update(done)
    if quiet then return end
    local el = core.wtime() - t0
    if el < 2 and not shown then return end
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
  local parts = {}
  for _, kv in ipairs(pairs_list) do parts[#parts + 1] = kv[1] .. "=" .. tostring(kv[2]) end
  print(table.concat(parts, " "))
end

return cli
