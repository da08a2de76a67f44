--- Output helpers: directories, atomic file writes (temp file + rename, so an
-- interrupted run never leaves a half-written file), tables (MuMax3's
-- table.txt format with word cells; see table_text) and CSV.
local mio = {}
local args = require "maghop.args"

local function shell_quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end
mio.shell_quote = shell_quote

--- Create a directory and its parents; raises when that fails.
function mio.mkdir(path)
  args.type("mkdir", "argument 'path'", path, "string")
  local ok = os.execute("mkdir -p " .. shell_quote(path))
  if not ok then error("cannot create directory " .. path, 2) end
  return path
end

--- Directory part of a path ("." when none).
function mio.dirname(path)
  args.type("dirname", "argument 'path'", path, "string")
  return path:match("^(.*)/[^/]*$") or "."
end

-- Write `content` to `path` through a temporary file in the same
-- directory, renamed over `path` only once every write, the flush and the
-- close have succeeded: on a full disk the old file stays as it was and the
-- error names the path. `level` is the error level of the user's call.
local function write_atomic(path, content, level)
  args.type("write_atomic", "argument 'path'", path, "string")
  args.type("write_atomic", "argument 'content'", content, "string")
  level = args.integer("write_atomic", "argument 'level'", level, 1, 100)
  mio.mkdir(mio.dirname(path))
  local tmp = path .. ".tmp" .. tostring(os.time()) .. tostring(math.random(1 << 30))
  local f, err = io.open(tmp, "wb")
  if not f then error("cannot write " .. path .. ": " .. tostring(err), level + 1) end
  local ok, werr = f:write(content)
  if ok then ok, werr = f:flush() end
  local cok, cerr = f:close()
  if ok and not cok then ok, werr = nil, cerr end
  if not ok then
    os.remove(tmp)
    error("cannot write " .. path .. ": " .. tostring(werr) .. " (the previous file, if any, is unchanged)", level + 1)
  end
  local rok, rerr = os.rename(tmp, path)
  if not rok then os.remove(tmp); error("cannot rename into " .. path .. ": " .. tostring(rerr), level + 1) end
  return path
end
mio.write_atomic_at = write_atomic

--- Write `content` to `path` atomically (temp file + rename; the old file
-- is kept when anything fails); creates the directory. Raises on failure.
function mio.write_atomic(path, content)
  if type(path) ~= "string" then error("write_atomic: 'path' must be a string, got " .. type(path), 2) end
  if type(content) ~= "string" then error("write_atomic: 'content' must be a string, got " .. type(content), 2) end
  return write_atomic(path, content, 2)
end

local function fmt_cell(v)
  if math.type(v) == "float" then return ("%.10g"):format(v) end
  return tostring(v)
end

-- Text of a header line and rows (tables of cells) of function fname: each
-- row's cells 1..(ncols or #row) as text(r, i, v), joined by sep; one line
-- each. Raises on a row that is not a table or holds more than ncols cells.
local function rows_text(fname, head, rows, sep, ncols, text)
  args.type(fname, "argument 'rows'", rows, "table")
  for r, row in ipairs(rows) do
    if type(row) ~= "table" then args.fail("%s: rows[%d] must be a table of cells, got %s", fname, r, type(row)) end
    if ncols and #row > ncols then args.fail("%s: row %d has %d cells for %d columns", fname, r, #row, ncols) end
  end
  local out = {head}
  for r, row in ipairs(rows) do
    local cells = {}
    for i = 1, ncols or #row do cells[i] = text(r, i, row[i]) end
    out[#out + 1] = table.concat(cells, sep)
  end
  return table.concat(out, "\n") .. "\n"
end

--- CSV text of a header list and rows (lists of numbers/strings).
function mio.csv_text(header, rows)
  args.type("csv_text", "argument 'header'", header, "table")
  return rows_text("csv_text", table.concat(header, ","), rows, ",", nil, function(_, _, v) return fmt_cell(v) end)
end

--- Write rows as CSV atomically.
function mio.write_csv(path, header, rows)
  if type(path) ~= "string" then error("write_csv: 'path' must be a string, got " .. type(path), 2) end
  return write_atomic(path, mio.csv_text(header, rows), 2)
end

--- Read a CSV with a header line: header list and rows (numbers where the
-- cell parses as one).
function mio.read_csv(path)
  args.type("read_csv", "argument 'path'", path, "string")
  local f, err = io.open(path, "r")
  if not f then return nil, err end
  local header, rows = nil, {}
  for line in f:lines() do
    if line:match("%S") then
      local cells = {}
      for cell in (line .. ","):gmatch("([^,]*),") do cells[#cells + 1] = tonumber(cell) or cell end
      if not header then header = cells else rows[#rows + 1] = cells end
    end
  end
  f:close()
  return header, rows
end

-- =========================================================================
-- Tables: MuMax3's table.txt format, with word cells
-- =========================================================================
--
-- One format for every table maghop writes (examples, the film's run
-- table, sweep results), read by mh.io.read_table and mh.plot.lines:
--
--   # t (s)	mx ()	G12 (S)	gate ()
--   0	1	-0.066	AND
--   1e-09	0.5	-0.0648	"08965"
--
-- * The first line is "# " then tab-separated titles "name (unit)"; the
--   unit is empty, "()", for a dimensionless or word column. Names and
--   units hold no whitespace or parentheses.
-- * Every other line is one row of tab-separated cells.
-- * A cell is a number (integers as %d, other numbers as %.10g; nan and
--   inf in any case, with a sign, read back as numbers) or a word: text
--   without whitespace. A word that would read back as a number ("08965",
--   "1e3", "nan"), is empty, or begins with a double quote or with '#'
--   (a line that begins with '#' is a comment) is written between double
--   quotes; a cell of two or more characters that begins and ends with '"'
--   is the word between them.
--
-- A table of numbers only is therefore exactly MuMax3's table.txt, and
-- every word comes back as the same string.

-- A cell's text as a number: what tonumber reads, plus nan and inf (as C's
-- printf writes them and MuMax3's "NaN", "+Inf").
local function cell_number(s)
  local v = tonumber(s)
  if v then return v end
  local sign, word = s:lower():match("^([+-]?)(%a+)$")
  if word == "nan" then return 0 / 0 end
  if word == "inf" or word == "infinity" then return sign == "-" and -math.huge or math.huge end
  return nil
end

--- A table cell read back: the word between double quotes, else a number
-- where the text reads as one, else the word itself.
-- @string s the cell's text (no tabs)
-- @treturn number|string
function mio.table_cell_value(s)
  args.type("table_cell_value", "argument 's'", s, "string")
  if #s >= 2 and s:sub(1, 1) == '"' and s:sub(-1) == '"' then return s:sub(2, -2) end
  local v = cell_number(s)
  if v ~= nil then return v end
  return s
end

--- Text of one table cell: a number (integers as %d, other numbers as
-- %.10g) or a word (a string without whitespace), quoted when it would not
-- read back as itself. Returns nil and a message for other values.
-- @tparam number|string v
-- @treturn string
-- @return or nil, message
function mio.table_cell(v)
  if type(v) == "number" then
    return math.type(v) == "integer" and ("%d"):format(v) or ("%.10g"):format(v)
  end
  if type(v) ~= "string" then return nil, "number or word expected, got " .. type(v) end
  if v:find("[%s%c]") then return nil, ("word %q holds whitespace or a control character"):format(v) end
  if v == "" or v:find('^["#]') or cell_number(v) ~= nil then return '"' .. v .. '"' end
  return v
end

-- "name (unit)" title of a column given as {name, unit} or "name (unit)".
local function column_title(fn, i, c)
  local name, unit
  if type(c) == "table" then name, unit = c[1], c[2] or "" else name, unit = tostring(c):match("^(.-)%s*%((.*)%)$") end
  if not name then name, unit = tostring(c), "" end
  if type(name) ~= "string" or name == "" or name:find("[%s()]") or tostring(unit):find("[%s()]") then
    error(("%s: column %d: name %q / unit %q must be words without spaces or parentheses")
      :format(fn, i, tostring(name), tostring(unit)), 4)
  end
  return name .. " (" .. unit .. ")"
end

--- Header line of a table (without the newline): "# " then the
-- tab-separated column titles.
-- @tparam {table|string,...} columns each {name, unit} or "name (unit)"
-- @treturn string
function mio.table_header(columns)
  args.type("table_header", "argument 'columns'", columns, "table")
  local head = {}
  for i, c in ipairs(columns) do head[i] = column_title("table_header", i, c) end
  return "# " .. table.concat(head, "\t")
end

--- Text of a table in MuMax3's table.txt format, the one format of every
-- maghop table (examples, film:run{table =}, mh.sweep results): a header
-- line "# " then tab-separated "name (unit)" columns ("()" for a
-- dimensionless or word column), then one line of tab-separated cells per
-- row. A cell is a number (integers as %d, others as %.10g; nan and inf
-- read back as numbers) or a word, a string without whitespace. A word that
-- would read as a number ("08965", "1e3", "nan"), an empty one and one that
-- begins with '"' or '#' are written between double quotes; read_table returns
-- the word between them. A table of numbers only is exactly MuMax3's format.
-- @tparam {table|string,...} columns each {name, unit} or "name (unit)"
-- @tparam {{number|string,...},...} rows
-- @treturn string
-- @raise on a bad column title, a row with more cells than columns, or a
-- cell that is neither a number nor a word
function mio.table_text(columns, rows)
  args.type("table_text", "argument 'columns'", columns, "table")
  local head = {}
  for i, c in ipairs(columns) do head[i] = column_title("table_text", i, c) end
  return rows_text("table_text", "# " .. table.concat(head, "\t"), rows, "\t", #columns, function(r, i, v)
    local text, why = mio.table_cell(v)
    if not text then args.fail("table_text: row %d, column %d: %s", r, i, why) end
    return text
  end)
end

--- Write a table in MuMax3's table.txt format atomically (see table_text);
-- parent folders are created.
-- @string path
-- @tparam {table|string,...} columns each {name, unit} or "name (unit)"
-- @tparam {{number|string,...},...} rows numbers or words (no whitespace)
-- @treturn string the path
-- @raise on a bad column or cell (see table_text) or when the file cannot be written
function mio.write_table(path, columns, rows)
  if type(path) ~= "string" then error("write_table: 'path' must be a string, got " .. type(path), 2) end
  return write_atomic(path, mio.table_text(columns, rows), 2)
end

-- Words of an ODT "# Columns:" or "# Units:" line: whitespace-separated,
-- braced when they hold spaces.
local function odt_words(text)
  local w = {}
  local i = 1
  while i <= #text do
    local s, e = text:find("^%s+", i)
    if s then i = e + 1 end
    if i > #text then break end
    if text:sub(i, i) == "{" then
      local j = text:find("}", i, true) or #text
      w[#w + 1] = text:sub(i + 1, j - 1); i = j + 1
    else
      local j = text:find("%s", i) or (#text + 1)
      w[#w + 1] = text:sub(i, j - 1); i = j
    end
  end
  return w
end

--- Read a table: maghop's and MuMax3's table.txt (header "# name
-- (unit)\t...", cells numbers or words as table_text writes them), OOMMF
-- ODT (the "# Columns:" and "# Units:" lines) or CSV with a header line.
-- @string path
-- @treturn {string,...} column names (without units)
-- @treturn {{number|string,...},...} rows
-- @treturn {string,...} units ("" where none is given)
-- @return or nil and a message
function mio.read_table(path)
  args.type("read_table", "argument 'path'", path, "string")
  local f, err = io.open(path, "r")
  if not f then return nil, err end
  local first = f:read("l")
  if not first then f:close(); return nil, path .. ": empty file" end
  local names, units, rows = {}, {}, {}
  local function cells_of(line)
    local cells = {}
    for w in line:gmatch("%S+") do cells[#cells + 1] = mio.table_cell_value(w) end
    return cells
  end
  if first:match("^# ODT") then
    for line in f:lines() do
      local cols = line:match("^#%s*Columns:%s*(.*)$")
      local us = line:match("^#%s*Units:%s*(.*)$")
      if cols then names = odt_words(cols)
      elseif us then units = odt_words(us)
      elseif line:match("^%s*[^#%s]") then rows[#rows + 1] = cells_of(line)
      end
    end
  elseif first:match("^#") then
    -- table.txt: one title per tab-separated field (a one-column table has no tab)
    for col in first:gsub("^#%s*", ""):gmatch("[^\t]+") do
      local name, unit = col:match("^(.-)%s*%((.*)%)%s*$")
      names[#names + 1] = name or col
      units[#units + 1] = unit or ""
    end
    for line in f:lines() do
      if line:match("%S") and not line:match("^#") then rows[#rows + 1] = cells_of(line) end
    end
  else
    for cell in (first .. ","):gmatch("([^,]*),") do names[#names + 1] = cell; units[#units + 1] = "" end
    for line in f:lines() do
      if line:match("%S") then
        local cells = {}
        for cell in (line .. ","):gmatch("([^,]*),") do cells[#cells + 1] = tonumber(cell) or cell end
        rows[#rows + 1] = cells
      end
    end
  end
  f:close()
  for i = #units + 1, #names do units[i] = "" end
  return names, rows, units
end

--- An output set written as a whole. `set.path(name)` gives the path to
-- write file `name` to (under dir/.partial/); `set.commit()` moves every
-- file written there into `dir` and removes dir/.partial. A run interrupted
-- before commit leaves its files only under dir/.partial, so the final
-- names always hold one finished run's outputs. A new set starts empty; with
-- `keep` true (a resumed run) the files an earlier run staged are kept.
function mio.staged(dir, keep)
  if type(dir) ~= "string" or dir == "" then error("staged: 'dir' must be a non-empty string", 2) end
  local stage = dir .. "/.partial"
  if not keep then os.execute("rm -rf " .. shell_quote(stage)) end
  local set = {dir = dir}
  function set.path(name)
    if type(name) ~= "string" or name == "" or name:find("%.%.") or name:sub(1, 1) == "/" then
      error("staged.path: 'name' must be a relative file name, got " .. tostring(name), 2)
    end
    mio.mkdir(mio.dirname(stage .. "/" .. name))
    return stage .. "/" .. name
  end
  function set.commit()
    local p = io.popen("find " .. shell_quote(stage) .. " -type f -print0 2>/dev/null")
    local list = p:read("a")
    p:close()
    local moved = {}
    for from in list:gmatch("([^%z]+)") do
      local to = dir .. from:sub(#stage + 1)
      mio.mkdir(mio.dirname(to))
      local ok, err = os.rename(from, to)
      if not ok then error("staged.commit: cannot move " .. from .. ": " .. tostring(err), 2) end
      moved[#moved + 1] = to
    end
    os.execute("rm -rf " .. shell_quote(stage))
    table.sort(moved)
    return moved
  end
  return set
end

--- Does a file exist (and can it be opened)?
function mio.exists(path)
  local f = io.open(path, "r")
  if f then f:close() return true end
  return false
end

return mio
