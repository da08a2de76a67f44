--- Checkpoints: a Lua table of numbers, strings, booleans and nested tables
-- stored as data, one value per line, and read back by a strict parser that
-- never runs code. Written atomically (temp file + rename).
--
-- Format (text, one record per line, fields separated by one space):
--   maghop-checkpoint 1          first line
--   t <path>                     a table (declared before its entries)
--   i <path> <integer>           an integer
--   f <path> <float>             a float: %.17g (bit-exact), nan, inf, -inf
--   s <path> <text>              a string, bytes outside printable ASCII,
--                                space and '%' written as %XX
--   b <path> true|false          a boolean
--   end                          last line (a truncated file is refused)
-- <path> is the keys from the root joined by '.', each a positive integer
-- or an identifier ([A-Za-z_][A-Za-z0-9_]*), e.g. history.3.2.
local mio = require "maghop.io"
local args = require "maghop.args"

local checkpoint = {}

checkpoint.MAX_BYTES = 64 * 1024 * 1024 -- refuse larger files
checkpoint.MAX_DEPTH = 32

local MAGIC = "maghop-checkpoint 1"

local function encode_string(s)
  return (s:gsub("[^!-$&-~]", function(c) return ("%%%02X"):format(c:byte()) end))
end

local function encode_float(v)
  if v ~= v then return "nan" end
  if v == math.huge then return "inf" end
  if v == -math.huge then return "-inf" end
  return ("%.17g"):format(v)
end

local function path_key(k, where)
  if math.type(k) == "integer" and k >= 1 then return tostring(k) end
  if type(k) == "string" and k:match("^[%a_][%w_]*$") then return k end
  error(("checkpoint.save: key %s at %s is neither a positive integer nor an identifier"):format(
    type(k) == "string" and ("%q"):format(k) or tostring(k), where == "" and "the top level" or where), 0)
end

local function emit(v, path, out, depth)
  local t = type(v)
  if t == "number" then
    if math.type(v) == "integer" then out[#out + 1] = ("i %s %d"):format(path, v)
    else out[#out + 1] = ("f %s %s"):format(path, encode_float(v)) end
  elseif t == "string" then
    out[#out + 1] = ("s %s %s"):format(path, encode_string(v))
  elseif t == "boolean" then
    out[#out + 1] = ("b %s %s"):format(path, tostring(v))
  elseif t == "table" then
    if depth > checkpoint.MAX_DEPTH then
      error(("checkpoint.save: tables nested deeper than %d at %s"):format(checkpoint.MAX_DEPTH, path), 0)
    end
    if path ~= "" then out[#out + 1] = "t " .. path end
    local keys = {}
    for k in pairs(v) do path_key(k, path); keys[#keys + 1] = k end
    table.sort(keys, function(a, b)
      if type(a) == type(b) then return a < b end
      return type(a) == "number"
    end)
    for _, k in ipairs(keys) do
      local key = path_key(k, path)
      emit(v[k], path == "" and key or path .. "." .. key, out, depth + 1)
    end
  else
    error(("checkpoint.save: cannot store a %s at %s"):format(t, path), 0)
  end
end

--- Write the table `data` to `path` atomically; raises (naming the path or
-- the offending key) when data cannot be stored or the write fails, and
-- then leaves the previous checkpoint unchanged. Creates the directory.
-- Keys must be positive integers or identifiers; values numbers, strings,
-- booleans or tables nested at most MAX_DEPTH deep.
-- @tparam string path file to write
-- @tparam table data the values to store
-- @treturn string path
-- @raise on a non-string path, a non-table data, a value or key that cannot
-- be stored, a text over MAX_BYTES (64 MiB), or a failed write
-- @usage mh.checkpoint.save("out/run.ckpt", {opts = opts, round = 3})
function checkpoint.save(path, data)
  if type(path) ~= "string" then error("checkpoint.save: 'path' must be a string, got " .. type(path), 2) end
  if type(data) ~= "table" then error("checkpoint.save: 'data' must be a table, got " .. type(data), 2) end
  local out = {MAGIC}
  local ok, err = pcall(emit, data, "", out, 1)
  if not ok then error(err, 2) end
  out[#out + 1] = "end\n"
  local text = table.concat(out, "\n")
  if #text > checkpoint.MAX_BYTES then
    error(("checkpoint.save: %d bytes exceed the limit of %d"):format(#text, checkpoint.MAX_BYTES), 2)
  end
  return mio.write_atomic_at(path, text, 2)
end

local function parse_value(tag, text)
  if tag == "i" then
    return text:match("^%-?%d+$") and math.tointeger(tonumber(text)) or nil
  elseif tag == "f" then
    if text == "nan" then return 0 / 0 end
    if text == "inf" then return math.huge end
    if text == "-inf" then return -math.huge end
    if not text:match("^%-?%d[%d.eE+%-]*$") then return nil end
    local v = tonumber(text)
    return v and v + 0.0 -- a float even when written without a dot
  elseif tag == "s" then
    if text:find("[^!-~]") or text:gsub("%%%x%x", ""):find("%%") then return nil end
    return (text:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
  elseif tag == "b" then
    if text == "true" then return true elseif text == "false" then return false end
  end
  return nil
end

--- Parse checkpoint text (as written by save) without running code.
-- @function parse
-- @tparam string src the checkpoint text
-- @tparam[opt="checkpoint"] string name name used in messages
-- @treturn table the stored table
-- @return or nil, message (naming the line) when the text is malformed or truncated
-- @raise when src is not a string
local function parse(src, name)
  if type(src) ~= "string" then error("checkpoint.parse: argument 'src' must be a string, got " .. type(src), 2) end
  name = tostring(name or "checkpoint")
  local root, tables = {}, {[""] = true}
  local lineno, ended = 0, false
  local function bad(msg) return nil, ("malformed checkpoint %s, line %d: %s"):format(name, lineno, msg) end
  for line in (src .. (src:sub(-1) == "\n" and "" or "\n")):gmatch("([^\n]*)\n") do
    lineno = lineno + 1
    if ended then return bad("text after 'end'") end
    if lineno == 1 then
      if line ~= MAGIC then return nil, ("%s is not a maghop checkpoint (first line must be '%s')"):format(name, MAGIC) end
    elseif line == "end" then
      ended = true
    else
      local tag, path, text = line:match("^([tifsb]) ([%w_.]+)(.*)$")
      if not tag then return bad("unrecognized record") end
      if tag == "t" then
        if text ~= "" then return bad("a table record takes no value") end
      else
        if text:sub(1, 1) ~= " " then return bad("value missing") end
        text = text:sub(2)
      end
      -- walk the path: every parent must be a declared table
      local keys = {}
      for key in (path .. "."):gmatch("([^.]*)%.") do
        if key:match("^[1-9]%d*$") and #key <= 15 then keys[#keys + 1] = math.tointeger(tonumber(key))
        elseif key:match("^[%a_][%w_]*$") then keys[#keys + 1] = key
        else return bad("bad key '" .. key .. "'") end
      end
      if #keys > checkpoint.MAX_DEPTH then return bad("nested deeper than " .. checkpoint.MAX_DEPTH) end
      local parent_path = path:match("^(.*)%.[^.]*$") or ""
      local parent = tables[parent_path]
      if not parent then return bad("entry of an undeclared table '" .. parent_path .. "'") end
      if parent == true then parent = root end
      local key = keys[#keys]
      if parent[key] ~= nil then return bad("duplicate entry '" .. path .. "'") end
      if tag == "t" then
        local t = {}
        parent[key], tables[path] = t, t
      else
        local v = parse_value(tag, text)
        if v == nil then return bad(("bad %s value '%s'"):format(
          ({i = "integer", f = "float", s = "string", b = "boolean"})[tag], text:sub(1, 40))) end
        parent[key] = v
      end
    end
  end
  if lineno == 0 then return nil, name .. " is empty" end
  if not ended then return nil, ("malformed checkpoint %s: truncated (no 'end' line)"):format(name) end
  return root
end
checkpoint.parse = parse

--- Read a checkpoint written by save; nil, message when it is missing,
-- larger than checkpoint.MAX_BYTES, or not a well-formed checkpoint.
-- @tparam string path file to read
-- @treturn table the stored table
-- @return or nil, message
-- @raise when path is not a string
-- @usage local saved, err = mh.checkpoint.load("out/run.ckpt")
function checkpoint.load(path)
  if type(path) ~= "string" then error("checkpoint.load: 'path' must be a string, got " .. type(path), 2) end
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local src = f:read(checkpoint.MAX_BYTES + 1)
  f:close()
  if not src then return nil, path .. " is empty" end
  if #src > checkpoint.MAX_BYTES then
    return nil, ("checkpoint %s is larger than the limit of %d bytes"):format(path, checkpoint.MAX_BYTES)
  end
  return parse(src, path)
end

--- Compare the options stored in a checkpoint with this run's: nil when
-- they match, else a message naming the first differing option (sorted by
-- name) with both values. Numbers compare exactly (they round-trip); two
-- NaNs count as equal. Option names print as --name with '_' shown as '-'.
-- @tparam table|nil stored options read from the checkpoint (non-table: a message)
-- @tparam table current this run's options
-- @treturn nil|string nil when equal, else the message
-- @raise when current is not a table
function checkpoint.mismatch(stored, current)
  if type(stored) ~= "table" then return "the checkpoint holds no run options" end
  if type(current) ~= "table" then error("checkpoint.mismatch: 'current' must be a table", 2) end
  local keys, seen = {}, {}
  for _, t in ipairs {stored, current} do
    for k in pairs(t) do
      if not seen[k] then seen[k], keys[#keys + 1] = true, tostring(k) end
    end
  end
  table.sort(keys)
  for _, k in ipairs(keys) do
    local a, b = stored[k], current[k]
    if a ~= b and not (a ~= a and b ~= b) then
      local function show(v) return v == nil and "(absent)" or type(v) == "number" and ("%.17g"):format(v) or tostring(v) end
      return ("option --%s differs: checkpoint %s, this run %s"):format((k:gsub("_", "-")), show(a), show(b))
    end
  end
  return nil
end

--- Run fn(); if it raises "interrupted!" (Ctrl-C in the maghop host), call
-- on_interrupt() (which should save a checkpoint) and exit with status 130.
-- Other errors propagate unchanged.
-- @tparam function fn the run
-- @tparam function on_interrupt called on interruption before exit
-- @return nothing (or does not return: exits with status 130)
-- @raise on non-function arguments, or the error fn raised (other than an interruption)
function checkpoint.guard(fn, on_interrupt)
  if type(fn) ~= "function" then error("checkpoint.guard: 'fn' must be a function, got " .. type(fn), 2) end
  if type(on_interrupt) ~= "function" then
    error("checkpoint.guard: 'on_interrupt' must be a function, got " .. type(on_interrupt), 2)
  end
  local ok, err = pcall(fn)
  if ok then return end
  if tostring(err):find("interrupted!", 1, true) then
    on_interrupt()
    io.stderr:write("\ninterrupted: checkpoint saved; rerun with --resume to continue\n")
    os.exit(130)
  end
  args.raise_user_error(err) -- the run's error, as it raised it
end

return checkpoint
