--- Parameter sweeps: expand a grid of parameters × seeds into tasks, run
-- each once, and keep one row per task in a results file that survives
-- crashes and resumes where it stopped.
--
--     local rows = mh.sweep{
--       params = {pitch = {2e-6, 3e-6}, xi = {0.25, 0.5}},
--       seeds = {1, 2, 3},
--       run = function(p) return {accuracy = f(p.pitch, p.xi, p.rng_seed)} end,
--       out = "out/sweep/results.txt", units = {pitch = "m"},
--     }
--
-- The results file is a table in maghop's table format (mh.io.table_text:
-- MuMax3's table.txt with word cells): a header line "# key ()\tpitch (m)\t
-- ...\tseed ()\tstatus ()\twall_s (s)\terror ()\taccuracy ()", then one
-- tab-separated line per task. Numbers are written in their shortest exact
-- decimal form; text (string parameters and metrics, error messages) is
-- written as one word: '%', whitespace and control characters
-- percent-encoded ("%20"), quoted by the table format's rule when it would
-- read as a number or is empty. A failed task's row ends after its error.
--
-- Every task has a key built from its parameter values and seed
-- ("pitch=2e-06;seed=1;xi=0.25": names sorted, values in their shortest
-- exact decimal form), so keys do not depend on the order of `params` or of
-- the value lists. The task's random seed (`p.rng_seed`, also used for
-- math.randomseed before run is called) is a hash of the key: never of the
-- rank or of the order in which tasks run. Under `mpirun`/`srun` (maghop
-- built with MPI) rank 0 hands tasks out one at a time to all ranks,
-- itself included, and writes each row as it arrives; see README "Sweeps".
local core = require "maghop.core"
local mio = require "maghop.io"

local sweep = {}

local FIXED = {"key", "seed", "status", "wall_s", "error"} -- reserved column names
local RESERVED = {key = true, seed = true, status = true, wall_s = true, error = true, rng_seed = true}
local OPTIONS = {params = true, seeds = true, run = true, out = true, retry_failed = true,
                 metrics = true, progress = true, group = true, units = true}
local FIXED_UNITS = {wall_s = "s"}

-- =========================================================================
-- Values, keys, seeds
-- =========================================================================

--- Shortest decimal text that reads back as exactly v (integers as %d).
local function repr(v)
  if v ~= v then return "nan" end
  if math.type(v) == "integer" then return ("%d"):format(v) end
  if type(v) == "number" then
    for prec = 15, 17 do
      local s = ("%." .. prec .. "g"):format(v)
      if tonumber(s) == v then return s end
    end
  end
  return tostring(v)
end
sweep.repr = repr

-- Key cells are percent-encoded so they are one word (no whitespace).
local function key_escape(s)
  return (s:gsub("[^%w%.%+%-_]", function(c) return ("%%%02X"):format(c:byte()) end))
end

--- Task key of a parameter table p (names `names`, sorted) and seed.
local function task_key(names, p, seed)
  local parts = {}
  local all = {}
  for _, n in ipairs(names) do all[#all + 1] = n end
  all[#all + 1] = "seed"
  table.sort(all)
  for _, n in ipairs(all) do
    local v = n == "seed" and seed or p[n]
    parts[#parts + 1] = n .. "=" .. key_escape(repr(v))
  end
  return table.concat(parts, ";")
end

--- Random seed of a task: FNV-1a (64 bit) of its key, reduced to 1..2^30.
-- Depends on the key only, so every rank and every run agree.
-- @tparam string key task key, e.g. "a=1;seed=1"
-- @treturn integer seed in 1..2^30
-- @raise when key is not a string
function sweep.task_seed(key)
  if type(key) ~= "string" then error(("mh.sweep: argument 'key' must be a string, got %s"):format(type(key)), 2) end
  local h = -3750763034362895579 -- 14695981039346656037 as a signed 64-bit integer
  for i = 1, #key do
    h = (h ~ key:byte(i)) * 1099511628211
  end
  return (h >> 34) + 1
end

-- =========================================================================
-- Cells: text as one word of the table format; CSV of older results files
-- =========================================================================

--- Text as one table word: '%', whitespace and control characters
-- percent-encoded, then quoted where the table format needs it.
local function text_cell(s)
  s = tostring(s):gsub("[%%%s%c]", function(c) return ("%%%02X"):format(c:byte()) end)
  return (mio.table_cell(s))
end

local function text_value(s)
  return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

local function unescape(s)
  return (s:gsub("\\(.)", function(c) return c == "n" and "\n" or c == "r" and "\r" or c end))
end

--- Split one CSV line into raw cells (quotes removed, escapes undone): the
-- rows of results files written before the table format.
-- @tparam string line one line without its newline
-- @treturn {string,...} cells, or nil when a quote is not closed
-- @raise when line is not a string
local function csv_split(line)
  if type(line) ~= "string" then error(("mh.sweep: argument 'line' must be a string, got %s"):format(type(line)), 2) end
  local cells, i, n = {}, 1, #line
  while true do
    if line:sub(i, i) == '"' then
      local j, buf = i + 1, {}
      while true do
        local q = line:find('"', j, true)
        if not q then return nil end -- unterminated quote: not a complete row
        buf[#buf + 1] = line:sub(j, q - 1)
        if line:sub(q + 1, q + 1) == '"' then
          buf[#buf + 1] = '"'
          j = q + 2
        else
          i = q + 1
          break
        end
      end
      cells[#cells + 1] = unescape(table.concat(buf))
    else
      local c = line:find(",", i, true) or n + 1
      cells[#cells + 1] = unescape(line:sub(i, c - 1))
      i = c
    end
    if i > n then break end
    if line:sub(i, i) ~= "," then return nil end
    i = i + 1
    if i > n then cells[#cells + 1] = "" break end
  end
  return cells
end
sweep.csv_split = csv_split

-- =========================================================================
-- Argument checking (errors are raised at the caller of mh.sweep)
-- =========================================================================

local function bad(msg) error("mh.sweep: " .. msg, 0) end

local function check_value(what, v)
  local t = type(v)
  if t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then
      bad(("%s is %s; parameter values must be finite numbers, strings or booleans"):format(what, repr(v)))
    end
  elseif t ~= "string" and t ~= "boolean" then
    bad(("%s is a %s; parameter values must be numbers, strings or booleans"):format(what, t))
  end
end

local function check_opts(o)
  if type(o) ~= "table" then bad("options table expected, got " .. type(o)) end
  for k in pairs(o) do
    if not OPTIONS[k] then
      local known = {}
      for name in pairs(OPTIONS) do known[#known + 1] = name end
      table.sort(known)
      bad(("unknown option '%s' (accepted: %s)"):format(tostring(k), table.concat(known, ", ")))
    end
  end
  if type(o.run) ~= "function" then
    bad("option 'run': function(p) returning a table of metrics expected, got " .. type(o.run))
  end
  if type(o.out) ~= "string" or o.out == "" then
    bad("option 'out': path of the results table expected, got " .. (o.out == "" and "an empty string" or type(o.out)))
  end
  if type(o.params) ~= "table" then
    bad("option 'params': table {name = {values...}} expected, got " .. type(o.params))
  end
  local names = {}
  for name, list in pairs(o.params) do
    if type(name) ~= "string" or not name:match("^[%a_][%w_]*$") then
      bad(("option 'params': parameter name %s is not an identifier"):format(repr(name)))
    end
    if RESERVED[name] then
      bad(("option 'params': '%s' is reserved (key, seed, status, wall_s, error, rng_seed)"):format(name))
    end
    if type(list) ~= "table" or #list == 0 then
      bad(("option 'params': '%s' must be a non-empty list of values, got %s"):format(name,
        type(list) == "table" and "an empty table" or type(list)))
    end
    local seen = {}
    for i, v in ipairs(list) do
      check_value(("params.%s[%d]"):format(name, i), v)
      local r = repr(v)
      if seen[r] then bad(("params.%s: value %s appears twice"):format(name, r)) end
      seen[r] = true
    end
    names[#names + 1] = name
  end
  if #names == 0 then bad("option 'params' is empty: give at least one parameter with its values") end
  table.sort(names)
  local seeds = o.seeds or {1}
  if type(seeds) ~= "table" or #seeds == 0 then
    bad("option 'seeds': non-empty list of integers expected, got " .. (type(seeds) == "table" and "an empty table" or type(seeds)))
  end
  local seen = {}
  for i, s in ipairs(seeds) do
    if math.type(s) ~= "integer" then
      bad(("option 'seeds': seeds[%d] is %s; integers expected"):format(i, repr(s)))
    end
    if seen[s] then bad(("option 'seeds': seed %d appears twice"):format(s)) end
    seen[s] = true
  end
  if o.metrics ~= nil then
    if type(o.metrics) ~= "table" or #o.metrics == 0 then
      bad("option 'metrics': non-empty list of metric names expected, got " .. type(o.metrics))
    end
    for i, m in ipairs(o.metrics) do
      if type(m) ~= "string" or not m:match("^[%a_][%w_]*$") then
        bad(("option 'metrics': metrics[%d] = %s is not an identifier"):format(i, repr(m)))
      end
    end
  end
  if o.retry_failed ~= nil and type(o.retry_failed) ~= "boolean" then
    bad("option 'retry_failed': boolean expected, got " .. type(o.retry_failed))
  end
  if o.progress ~= nil and type(o.progress) ~= "boolean" then
    bad("option 'progress': boolean expected, got " .. type(o.progress))
  end
  if o.units ~= nil then
    if type(o.units) ~= "table" then bad("option 'units': table {name = unit} expected, got " .. type(o.units)) end
    for k, u in pairs(o.units) do
      if type(k) ~= "string" or type(u) ~= "string" or u:find("[%s()]") then
        bad(("option 'units': %s = %s; units are words without spaces or parentheses (\"m\", \"A/m\")")
          :format(repr(k), repr(u)))
      end
      if RESERVED[k] then bad(("option 'units': '%s' is a fixed column"):format(k)) end
    end
  end
  if o.group ~= nil then
    if type(o.group) ~= "table" then bad("option 'group': list of parameter names expected, got " .. type(o.group)) end
    for i, g in ipairs(o.group) do
      if type(g) ~= "string" or (g ~= "seed" and o.params[g] == nil) then
        bad(("option 'group': group[%d] = %s is not a parameter (%s or seed)"):format(i, repr(g), table.concat(names, ", ")))
      end
    end
  end
  return names, seeds
end

--- All tasks of the grid, in the order of the value lists (names sorted).
local function expand(params, names, seeds)
  local tasks = {}
  local p = {}
  local function rec(d)
    if d > #names then
      for _, s in ipairs(seeds) do
        local t = {seed = s}
        for _, n in ipairs(names) do t[n] = p[n] end
        t.key = task_key(names, t, s)
        t.rng_seed = sweep.task_seed(t.key)
        tasks[#tasks + 1] = t
      end
      return
    end
    for _, v in ipairs(params[names[d]]) do
      p[names[d]] = v
      rec(d + 1)
    end
  end
  rec(1)
  return tasks
end

-- =========================================================================
-- Results file
-- =========================================================================

local function header_of(names, metrics)
  local h = {"key"}
  for _, n in ipairs(names) do h[#h + 1] = n end
  for i = 2, #FIXED do h[#h + 1] = FIXED[i] end
  for _, m in ipairs(metrics or {}) do h[#h + 1] = m end
  return h
end

--- Header line of the results file (with its newline): the columns of
-- header_of, each "name (unit)" with units from the option (else "()").
local function header_line(names, metrics, units)
  local cols = {}
  for i, n in ipairs(header_of(names, metrics)) do cols[i] = {n, FIXED_UNITS[n] or (units or {})[n] or ""} end
  return mio.table_header(cols) .. "\n"
end

--- Column names of a table header line (units dropped), or nil when the
-- line is not one ("# " then tab-separated "name (unit)").
local function header_names(line)
  if not line:match("^# ") then return nil end
  local cols = {}
  for title in line:sub(3):gmatch("[^\t]+") do cols[#cols + 1] = title:match("^(%S+) %(%S*%)$") or title end
  return cols
end

--- Cells of one row of the results file, as written (split at whitespace).
local function row_cells(line)
  local cells = {}
  for w in line:gmatch("%S+") do cells[#cells + 1] = w end
  return cells
end

--- Read an existing results file: header cells, rows (lists of cells, by
-- line), and whether its last line was cut short (no final newline).
local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local text = f:read("a")
  f:close()
  local lines = {}
  for line in text:gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
  local partial = #text > 0 and text:sub(-1) ~= "\n"
  return lines, partial, text
end

--- A parameter or metric value as a cell: numbers exact, booleans as
-- true/false, text as one word.
local function value_cell(v)
  if math.type(v) == "integer" then return ("%d"):format(v) end
  if type(v) == "number" then return repr(v) end
  if type(v) == "boolean" then return tostring(v) end
  return text_cell(v)
end

--- Check run's return value; nil, message when it is not a metrics table.
local function check_result(res, names, metrics)
  if type(res) ~= "table" then
    return nil, ("run returned a %s; a table {name = number or string} of metrics expected"):format(type(res))
  end
  local keys = {}
  for k, v in pairs(res) do
    if type(k) ~= "string" or not k:match("^[%a_][%w_]*$") then
      return nil, ("run returned metric name %s; names must be identifiers"):format(repr(k))
    end
    if RESERVED[k] then return nil, ("run returned metric '%s', a reserved column name"):format(k) end
    for _, n in ipairs(names) do
      if n == k then return nil, ("run returned metric '%s', which is also a parameter name"):format(k) end
    end
    local t = type(v)
    if t == "number" then
      if v ~= v or v == math.huge or v == -math.huge then
        return nil, ("metric '%s' is %s; metrics must be finite numbers or strings"):format(k, repr(v))
      end
    elseif t ~= "string" then
      return nil, ("metric '%s' is a %s; metrics must be numbers or strings"):format(k, t)
    end
    keys[#keys + 1] = k
  end
  if #keys == 0 then return nil, "run returned an empty table; at least one metric expected" end
  table.sort(keys)
  if metrics then
    local want = table.concat(metrics, ",")
    local got = table.concat(keys, ",")
    if want ~= got then
      return nil, ("run returned metrics (%s) but the results file has (%s); every task must return the same names"):format(got, want)
    end
  end
  return keys
end

--- Run one task: returns a record {task, status, wall, err, res, bad}.
-- `bad` marks a run function that returned something other than metrics
-- (a script bug: the sweep stops after recording it).
local function execute(o, task, names, metrics)
  local p = {}
  for k, v in pairs(task) do p[k] = v end
  math.randomseed(task.rng_seed)
  local t0 = core.wtime()
  local ok, res = pcall(o.run, p)
  local wall = core.wtime() - t0
  local rec = {task = task, wall = wall}
  if not ok then
    rec.status, rec.err = "failed", tostring(res)
    io.stderr:write(("sweep: task %s failed: %s\n"):format(task.key, rec.err))
    return rec
  end
  local keys, msg = check_result(res, names, metrics)
  if not keys then
    rec.status, rec.err, rec.bad = "failed", msg, true
    return rec
  end
  rec.status, rec.res, rec.keys = "ok", res, keys
  return rec
end

--- Line of a record under the given metric columns (nil: none yet); a
-- failed task's line ends after its error.
local function format_row(rec, names, metrics)
  local t = rec.task
  local cells = {t.key}
  for _, n in ipairs(names) do cells[#cells + 1] = value_cell(t[n]) end
  cells[#cells + 1] = ("%d"):format(t.seed)
  cells[#cells + 1] = rec.status
  cells[#cells + 1] = ("%.3f"):format(rec.wall)
  cells[#cells + 1] = text_cell(rec.err or "")
  if rec.status == "ok" then
    for _, m in ipairs(metrics) do cells[#cells + 1] = value_cell(rec.res[m]) end
  end
  return table.concat(cells, "\t") .. "\n"
end

local function must(ok, err)
  if not ok then error("mh.sweep: " .. err, 0) end
  return ok
end

--- Split the task indices idx (in order) into units run one after another
-- on one rank: tasks sharing the values of the `group` parameters form one
-- unit (in order of first appearance); without group, one task per unit.
local function units_of(tasks, idx, group)
  local units, by = {}, {}
  for _, i in ipairs(idx) do
    if not group or #group == 0 then
      units[#units + 1] = {i}
    else
      local parts = {}
      for _, g in ipairs(group) do parts[#parts + 1] = repr(tasks[i][g]) end
      local gk = table.concat(parts, "\0")
      local u = by[gk]
      if not u then
        u = {}
        by[gk] = u
        units[#units + 1] = u
      end
      u[#u + 1] = i
    end
  end
  return units
end

-- =========================================================================
-- The results file as a writer: header known or pending, rows appended
-- =========================================================================

local Writer = {}
Writer.__index = Writer

--- Open the results file for a sweep: validates an existing header,
-- returns the writer and the set of finished keys (key -> status). A file
-- that is not in the table format (a CSV of an older maghop) is refused
-- and left as it is.
local function open_writer(path, names, declared, retry_failed, keyset, units)
  local w = setmetatable({path = path, names = names, metrics = nil, pending = {}, units = units}, Writer)
  local lines, partial = read_file(path)
  local status = {}
  if not lines or (#lines == 0 and not partial) then
    w.metrics = declared
    if declared then
      mio.mkdir(mio.dirname(path))
      must(core.write_durable(path, header_line(names, declared, units)))
      w.has_header = true
    end
    return w, status
  end
  local head = header_names(lines[1] or "")
  local want = header_of(names, nil)
  if not head and csv_split(lines[1] or "") and (lines[1] or ""):match("^key,") then
    error(("mh.sweep: results file %s is a CSV written by an older maghop; sweeps now write tables "
      .. "(header '# key ()\\t...'). The file is left as it is: mh.sweep.read still reads it; "
      .. "rename it or use another 'out' path"):format(path), 0)
  end
  local fixed_ok = head and #head >= #want
  if fixed_ok then
    for i = 1, #want do if head[i] ~= want[i] then fixed_ok = false end end
  end
  if not fixed_ok then
    error(("mh.sweep: results file %s has columns (%s) but this sweep writes (%s, metrics...); "
      .. "use another 'out' path or move the file away"):format(path, head and table.concat(head, ",") or lines[1] or "",
      table.concat(want, ",")), 0)
  end
  local metrics = {}
  for i = #want + 1, #head do metrics[#metrics + 1] = head[i] end
  if #metrics == 0 then metrics = nil end
  if declared and metrics and table.concat(declared, ",") ~= table.concat(metrics, ",") then
    error(("mh.sweep: option 'metrics' is (%s) but results file %s has (%s)"):format(
      table.concat(declared, ","), path, table.concat(metrics, ",")), 0)
  end
  -- Keep complete rows; drop a cut-short last line, duplicates of a key
  -- (first "ok" wins, else the last row) and, with retry_failed, failed
  -- rows of this sweep's tasks (they are rerun).
  local keep, rewrite = {lines[1]}, partial
  local best = {}
  for i = 2, #lines do
    local cells = row_cells(lines[i])
    if #cells >= #want and not lines[i]:match("^#") then
      local k = cells[1]
      local st = cells[#want - 2] -- status column
      local prev = best[k]
      if prev then rewrite = true end
      if not prev or (prev.st ~= "ok") then best[k] = {st = st, line = lines[i], order = prev and prev.order or i} end
    elseif lines[i] ~= "" then
      rewrite = true
    end
  end
  local ordered = {}
  for k, b in pairs(best) do ordered[#ordered + 1] = {k = k, b = b} end
  table.sort(ordered, function(a, b) return a.b.order < b.b.order end)
  for _, e in ipairs(ordered) do
    if retry_failed and e.b.st == "failed" and keyset[e.k] then
      rewrite = true
    else
      keep[#keep + 1] = e.b.line
      status[e.k] = e.b.st
    end
  end
  if declared and not metrics then
    keep[1] = header_line(names, declared, units):sub(1, -2)
    metrics = declared
    rewrite = true
  end
  if rewrite then must(core.write_durable(path, table.concat(keep, "\n") .. "\n")) end
  w.metrics = metrics
  w.has_header = true
  return w, status
end

--- Fix the metric columns (first success); rewrites the header line.
function Writer:set_metrics(metrics)
  self.metrics = metrics
  local header = header_line(self.names, metrics, self.units)
  if self.has_header then
    local lines = read_file(self.path) or {}
    lines[1] = header:sub(1, -2)
    must(core.write_durable(self.path, table.concat(lines, "\n") .. "\n"))
  else
    mio.mkdir(mio.dirname(self.path))
    must(core.write_durable(self.path, header))
    self.has_header = true
  end
  local buffered = self.pending
  self.pending = {}
  for _, rec in ipairs(buffered) do self:add(rec) end
end

--- Append a record (buffered until the metric columns are known).
function Writer:add(rec)
  if not self.metrics then
    if rec.status ~= "ok" then
      self.pending[#self.pending + 1] = rec
      return
    end
    self:set_metrics(rec.keys)
  end
  must(core.append_line(self.path, format_row(rec, self.names, self.metrics)))
end

--- Write whatever is buffered (a sweep in which nothing succeeded).
function Writer:close()
  if #self.pending == 0 then return end
  if not self.has_header then
    mio.mkdir(mio.dirname(self.path))
    must(core.write_durable(self.path, header_line(self.names, nil, self.units)))
    self.has_header = true
  end
  for _, rec in ipairs(self.pending) do
    must(core.append_line(self.path, format_row(rec, self.names, nil)))
  end
  self.pending = {}
end

-- =========================================================================
-- Reading results back
-- =========================================================================

--- Value of a cell of the results file: numbers, text decoded; the key
-- as written; nil for an empty cell.
local function cell_value(name, cell)
  if name == "key" then return cell end
  local v = mio.table_cell_value(cell)
  if type(v) == "string" then
    v = text_value(v)
    if v == "" then return nil end
  end
  return v
end

-- Rows of an older results file (CSV): the key and error columns stay
-- strings, other cells are numbers where they read as one.
local function parse_csv(lines, keys)
  local head = csv_split(lines[1])
  local rows = {}
  for i = 2, #lines do
    local cells = csv_split(lines[i])
    if cells and (not keys or keys[cells[1]]) then
      local r = {}
      for c, name in ipairs(head) do
        local v = cells[c]
        if v ~= nil and v ~= "" then
          r[name] = (name ~= "key" and name ~= "error" and tonumber(v)) or v
        end
      end
      rows[#rows + 1] = r
    end
  end
  return rows, head
end

--- Rows of a results file (sweep.read) or of its text (sweep.parse) as
-- tables keyed by column name, sorted by key: numbers as numbers, text as
-- the strings the run returned (the error column too), no entry for an
-- empty cell or the metrics of a failed task. keys (optional set of task
-- keys) filters them. Results files of older maghop versions (CSV) are
-- read as well.
-- @tparam string text the file's text: a table with a header line
-- @tparam[opt] table keys set {[key] = true} of task keys to keep
-- @treturn {table,...} rows
-- @treturn {string,...} column names
-- @treturn {string,...} column units ("" where none; all "" for a CSV)
-- @return or nil, "empty results"
-- @raise when text is not a string or keys is not a table
function sweep.parse(text, keys)
  if type(text) ~= "string" then error(("mh.sweep: argument 'text' must be a string, got %s"):format(type(text)), 2) end
  if keys ~= nil and type(keys) ~= "table" then error(("mh.sweep: argument 'keys' must be a list of names, got %s"):format(type(keys)), 2) end
  local lines = {}
  for line in text:gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
  if #lines == 0 then return nil, "empty results" end
  local head, rows, units = header_names(lines[1]), nil, {}
  if head then
    for title in lines[1]:sub(3):gmatch("[^\t]+") do units[#units + 1] = title:match("^%S+ %((%S*)%)$") or "" end
    rows = {}
    for i = 2, #lines do
      local cells = row_cells(lines[i])
      if cells[1] and not lines[i]:match("^#") and (not keys or keys[cells[1]]) then
        local r = {}
        for c, name in ipairs(head) do
          if cells[c] then r[name] = cell_value(name, cells[c]) end
        end
        rows[#rows + 1] = r
      end
    end
  else
    rows, head = parse_csv(lines, keys)
    for i = 1, #head do units[i] = "" end
  end
  table.sort(rows, function(a, b) return a.key < b.key end)
  return rows, head, units
end

--- Rows of a results file: `sweep.parse` of its text.
-- @tparam string path results file (a table; an older CSV is read too)
-- @tparam[opt] table keys set of task keys to keep
-- @treturn {table,...} rows
-- @treturn {string,...} column names
-- @return or nil, message when the file is missing or empty
function sweep.read(path, keys)
  local f = io.open(path, "rb")
  if not f then return nil, "no results file " .. path end
  local text = f:read("a")
  f:close()
  return sweep.parse(text, keys)
end

-- =========================================================================
-- Running
-- =========================================================================

--- Progress mode: 0 none, 1 a live line (stderr is a terminal), 2 a line
-- every 10 s and at the end (log files of cluster jobs). Default: 1 on a
-- terminal, else 2 under MPI, else 0; progress = false silences it,
-- progress = true forces 1 or 2.
local function progress_mode(o, ranks)
  if o.progress == false then return 0 end
  if core.stderr_isatty() then return 1 end
  if o.progress or ranks > 1 then return 2 end
  return 0
end
sweep.PROGRESS_EVERY_S = 10

local function progress_reporter(mode, total, done0, failed0)
  local t0 = core.wtime()
  local last = t0
  local st = {done = done0, failed = failed0, ran = 0}
  function st.step(failed)
    st.done, st.ran = st.done + 1, st.ran + 1
    if failed then st.failed = st.failed + 1 end
    local now = core.wtime()
    local line = mode > 0 and core.progress_line(st.done, total, st.failed, st.ran, now - t0)
    if mode == 1 then
      io.stderr:write("\r" .. line .. "\027[K")
    elseif mode == 2 and (now - last >= sweep.PROGRESS_EVERY_S or st.done == total) then
      io.stderr:write(line .. "\n")
      last = now
    end
  end
  function st.finish()
    if mode == 1 and st.ran > 0 then io.stderr:write("\n") end
  end
  return st
end

--- retry_failed: the option when given; else true when the script's
-- arguments contain --retry-failed or MAGHOP_RETRY_FAILED=1 (for scripts
-- whose option parser refuses unknown options, and for batch jobs).
local function wants_retry(o)
  if o.retry_failed ~= nil then return o.retry_failed end
  for _, a in ipairs(_G.arg or {}) do
    if a == "--retry-failed" then return true end
  end
  return os.getenv("MAGHOP_RETRY_FAILED") == "1"
end

--- Run a sweep. opts: params (name -> list of values), seeds (list of
-- integers, default {1}), run (function(p) -> table of metrics; p holds
-- the parameters, seed, key and rng_seed), out (path of the results table,
-- conventionally .txt; see the format above), units (optional: name ->
-- unit of a parameter or metric column, e.g. {pitch = "m"}; others "()"), retry_failed
-- (rerun tasks recorded as failed; default: whether the script's arguments
-- contain --retry-failed or MAGHOP_RETRY_FAILED=1 is set), metrics (optional list fixing the metric
-- columns), progress (false: silent; default: a live line on a terminal,
-- else under MPI a line every 10 s), group (list of parameter names: tasks
-- sharing their values run one after another on the same rank, for run
-- functions that cache costly work keyed by them).
-- Returns rows (sweep.read of this sweep's tasks, on every rank) and a
-- summary {total, skipped, ran, failed, elapsed_s}. `mh.sweep(opts)` calls it.
-- Tasks already recorded in out are skipped (resume); a run function error
-- is recorded as a failed task and the sweep goes on. A results file in
-- the CSV of older maghop versions is refused (and left as it is).
-- @tparam table o the options above; params, run and out are required
-- @treturn {table,...} rows
-- @treturn table summary
-- @raise on bad options (naming the key), on an existing out of other
-- columns or in the older CSV format, under an MPI launcher without the
-- MPI binding, or when a run function returns a malformed result (not a
-- table of the metric columns: recorded as failed, then raised)
-- @usage local rows = mh.sweep{params = {a = {1, 2}}, run = function(p) return {y = p.a} end, out = "out/s.txt"}
function sweep.run(o)
  local okc, names, seeds = pcall(check_opts, o)
  if not okc then error(names, 2) end
  local tasks = expand(o.params, names, seeds)
  local keyset = {}
  for _, t in ipairs(tasks) do keyset[t.key] = true end
  local declared
  if o.metrics then
    declared = {}
    for i, m in ipairs(o.metrics) do declared[i] = m end
    table.sort(declared)
  end
  local mpi = sweep.mpi()
  if mpi.misconfigured then error("mh.sweep: " .. mpi.misconfigured, 2) end
  if mpi.size() > 1 then
    return sweep.run_mpi(mpi, o, names, tasks, keyset, declared, wants_retry(o))
  end
  local t0 = core.wtime()
  local w, status = open_writer(o.out, names, declared, wants_retry(o), keyset, o.units)
  local idx, failed0 = {}, 0
  for i, t in ipairs(tasks) do
    local st = status[t.key]
    if not st then idx[#idx + 1] = i elseif st == "failed" then failed0 = failed0 + 1 end
  end
  local pending = {}
  for _, u in ipairs(units_of(tasks, idx, o.group)) do
    for _, i in ipairs(u) do pending[#pending + 1] = tasks[i] end
  end
  local prog = progress_reporter(progress_mode(o, 1), #tasks, #tasks - #pending, failed0)
  local ran_failed, bad = 0, nil
  for _, t in ipairs(pending) do
    local rec = execute(o, t, names, w.metrics)
    w:add(rec)
    prog.step(rec.status == "failed")
    if rec.status == "failed" then ran_failed = ran_failed + 1 end
    if rec.bad then bad = rec break end
  end
  w:close()
  prog.finish()
  if bad then
    error(("mh.sweep: task %s: %s (recorded as failed in %s)"):format(bad.task.key, bad.err, o.out), 2)
  end
  local rows = sweep.read(o.out, keyset) or {}
  return rows, {total = #tasks, skipped = #tasks - #pending, ran = prog.ran, failed = ran_failed,
                elapsed_s = core.wtime() - t0}
end

-- =========================================================================
-- Over MPI ranks: rank 0 reads the file, the first tasks fix the metric
-- columns, then every rank (rank 0 too) takes units (a task, or a group of
-- tasks) from rank 0's manager thread; rows are written on rank 0 as they
-- arrive. The closing broadcast gives
-- every rank the same rows and summary, or the same error.
-- =========================================================================

local function split(s, sep)
  local out = {}
  if s == "" then return out end
  for piece in (s .. sep):gmatch("(.-)" .. sep:gsub("%p", "%%%0")) do out[#out + 1] = piece end
  return out
end

local KIND = {ok = "R", failed = "F"}

local function kind_of(rec) return rec.bad and "B" or KIND[rec.status] end

-- Records of the first round travel to rank 0 as a Lua table constructor
-- (%q writes floats in hexadecimal: exact), read back in an empty
-- environment.
local function encode_recs(recs)
  local out = {"return {"}
  for _, r in ipairs(recs) do
    local m = {}
    for _, k in ipairs(r.keys or {}) do m[#m + 1] = ("[%q] = %q"):format(k, r.res[k]) end
    out[#out + 1] = ("{i = %d, status = %q, wall = %q, err = %s, bad = %s, res = {%s}},"):format(r.i, r.status,
      r.wall, r.err and ("%q"):format(r.err) or "nil", tostring(r.bad == true), table.concat(m, ", "))
  end
  out[#out + 1] = "}"
  return table.concat(out, "\n")
end

local function decode_recs(text, tasks)
  local recs = load(text, "=sweep records", "t", {})()
  for _, r in ipairs(recs) do
    r.task = tasks[r.i]
    if r.status == "ok" then
      r.keys = {}
      for k in pairs(r.res) do r.keys[#r.keys + 1] = k end
      table.sort(r.keys)
    else
      r.res = nil
    end
  end
  return recs
end

--- A success whose metric names differ from the columns becomes a failure
-- that stops the sweep (as check_result does when the columns are known).
local function conform(rec, metrics)
  if rec.status ~= "ok" or not metrics then return rec end
  local got, want = table.concat(rec.keys, ","), table.concat(metrics, ",")
  if got ~= want then
    rec.status, rec.bad, rec.res, rec.keys = "failed", true, nil, nil
    rec.err = ("run returned metrics (%s) but the results file has (%s); every task must return the same names"):format(got, want)
  end
  return rec
end

local ROUND_TAG = 7000

--- Open the results file on rank 0: the writer, the units still to run,
-- and the counts of tasks already done / failed in earlier runs.
local function prepare_root(o, names, tasks, keyset, declared, retry)
  local w, status = open_writer(o.out, names, declared, retry, keyset, o.units)
  local idx, failed0 = {}, 0
  for i, t in ipairs(tasks) do
    local st = status[t.key]
    if not st then idx[#idx + 1] = i elseif st == "failed" then failed0 = failed0 + 1 end
  end
  return w, units_of(tasks, idx, o.group), #tasks - #idx, failed0
end

function sweep.run_mpi(mpi, o, names, tasks, keyset, declared, retry)
  local t0 = core.wtime()
  local rank, size = mpi.rank(), mpi.size()
  local msg, w, units, done0, failed0
  if rank == 0 then
    local ok, a, b, c, d = pcall(prepare_root, o, names, tasks, keyset, declared, retry)
    if ok then
      w, units, done0, failed0 = a, b, c, d
      local us = {}
      for k, u in ipairs(units) do us[k] = table.concat(u, ",") end
      msg = table.concat({"ok", table.concat(w.metrics or {}, ","), table.concat(us, ";"),
                          ("%d,%d"):format(done0, failed0)}, "\n")
    else
      msg = "error\n" .. tostring(a)
    end
  end
  msg = mpi.bcast(msg or "", 0)
  local lines = split(msg, "\n")
  if lines[1] == "error" then error(table.concat(lines, "\n", 2), 2) end
  local metrics = split(lines[2], ",")
  units = {}
  for _, us in ipairs(split(lines[3], ";")) do
    local u = {}
    for _, v in ipairs(split(us, ",")) do u[#u + 1] = tonumber(v) end
    units[#units + 1] = u
  end
  local counts = split(lines[4], ",")
  done0, failed0 = tonumber(counts[1]), tonumber(counts[2])
  local skipped = done0

  -- Workers format rows, so the metric columns must be known before the
  -- farm starts. Until a task succeeds, run rounds: rank r runs unit r+1,
  -- rank 0 gathers the records, writes them in unit order (so the columns
  -- come from the same task whatever the timing) and broadcasts the columns.
  local ran0, failed_run0 = 0, 0
  while #metrics == 0 and #units > 0 do
    local recs = {}
    for _, i in ipairs(units[rank + 1] or {}) do
      local rec = execute(o, tasks[i], names, nil)
      rec.i = i
      recs[#recs + 1] = rec
      if rec.bad then break end
    end
    local reply
    if rank == 0 then
      local all = {recs}
      for r = 1, math.min(size, #units) - 1 do all[#all + 1] = decode_recs(mpi.recv(r, ROUND_TAG), tasks) end
      local badrec
      for _, list in ipairs(all) do
        for _, rec in ipairs(list) do
          w:add(conform(rec, w.metrics))
          ran0, done0 = ran0 + 1, done0 + 1
          if rec.status == "failed" then failed_run0, failed0 = failed_run0 + 1, failed0 + 1 end
          if rec.bad and not badrec then badrec = rec end
        end
      end
      if badrec then
        w:close()
        reply = ("error\nmh.sweep: task %s: %s (recorded as failed in %s)"):format(badrec.task.key,
          badrec.err, o.out)
      else
        reply = "ok\n" .. table.concat(w.metrics or {}, ",")
      end
    elseif units[rank + 1] then
      mpi.send(0, ROUND_TAG, encode_recs(recs))
    end
    reply = mpi.bcast(reply or "", 0)
    for _ = 1, math.min(size, #units) do table.remove(units, 1) end
    local rl = split(reply, "\n")
    if rl[1] == "error" then error(table.concat(rl, "\n", 2), 2) end
    metrics = split(rl[2] or "", ",")
  end
  if rank == 0 then w:close() end -- rows of a sweep in which nothing succeeded

  local bad
  local function work(take)
    local rows = ""
    while true do
      local k = take(rows)
      if not k then return end
      local out = {}
      for _, i in ipairs(units[k]) do
        local rec = execute(o, tasks[i], names, metrics)
        out[#out + 1] = kind_of(rec) .. format_row(rec, names, metrics)
        if rec.bad then
          bad = bad or rec
          break
        end
      end
      rows = table.concat(out)
    end
  end

  local final
  if rank == 0 then
    local farm = mpi.farm_open{path = o.out, n = #units, total = #tasks, done = done0, failed = failed0,
                               progress = progress_mode(o, size), every_s = sweep.PROGRESS_EVERY_S}
    local ok, err = pcall(work, function(rows) return farm:next(rows) end)
    if not ok then mpi.abort(1, "mh.sweep: " .. tostring(err)) end
    local s = farm:close()
    local text = io.open(o.out, "rb")
    local content = text and text:read("a") or ""
    if text then text:close() end
    local status = "ok"
    if s.io_error then
      status = "mh.sweep: cannot write the results: " .. s.io_error
    elseif s.stopped then
      status = "mh.sweep: a run function returned no metrics table; see the rows marked failed in " .. o.out
      if bad then
        status = ("mh.sweep: task %s: %s (recorded as failed in %s)"):format(bad.task.key, bad.err, o.out)
      end
    end
    final = ("%s\n%d,%d,%d,%d\n%s"):format(status:gsub("\n", " "), #tasks, skipped, s.ran + ran0,
      s.failed + failed_run0, content)
  else
    local ok, err = pcall(work, mpi.farm_work)
    if not ok then mpi.abort(1, "mh.sweep: " .. tostring(err)) end
  end
  final = mpi.bcast(final or "", 0)
  local status, sums, content = final:match("^(.-)\n(.-)\n(.*)$")
  if status ~= "ok" then error(status, 2) end
  local n = split(sums, ",")
  local rows = sweep.parse(content, keyset)
  return rows, {total = tonumber(n[1]), skipped = tonumber(n[2]), ran = tonumber(n[3]),
                failed = tonumber(n[4]), elapsed_s = core.wtime() - t0}
end

--- The MPI binding when maghop was built with it (and loaded under a
-- launcher), else a one-rank stand-in. When the script runs under
-- mpirun/srun with more than one rank but MPI is not available, the
-- stand-in's `misconfigured` field holds a message and sweep.run raises it,
-- since N independent serial sweeps would all write the same file.
-- @treturn table the binding (rank(), size(), barrier(), ...) or the stand-in
-- {available = false, rank, size, barrier[, misconfigured]}
function sweep.mpi()
  local ok, m = pcall(require, "maghop.mpi")
  if ok then return m end
  local stand_in = {available = false, rank = function() return 0 end, size = function() return 1 end,
                    barrier = function() end}
  for _, v in ipairs({"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS"}) do
    local n = tonumber(os.getenv(v) or "")
    if n and n > 1 then
      stand_in.misconfigured = ("running as one of %d MPI ranks (%s) but maghop was built without MPI; "
        .. "rebuild with `make MPI=1` (needs libopenmpi-dev) or run serially"):format(n, v)
    end
  end
  return stand_in
end

-- for the tests: the task list of a grid (names sorted)
sweep._expand = expand

return setmetatable(sweep, {__call = function(_, o) return sweep.run(o) end})
