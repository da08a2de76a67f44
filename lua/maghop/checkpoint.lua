--- Checkpoints: a Lua table of numbers, strings, booleans and nested tables
-- written atomically as a Lua data chunk (numbers as %.17g, so they read
-- back bit-identical), and read back in an empty environment.
local mio = require "maghop.io"

local checkpoint = {}

local function serialize(v, out, indent)
  local t = type(v)
  if t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then
      error("checkpoint: cannot store a non-finite number", 0)
    end
    out[#out + 1] = math.type(v) == "integer" and ("%d"):format(v) or ("%.17g"):format(v)
  elseif t == "string" then
    out[#out + 1] = ("%q"):format(v)
  elseif t == "boolean" then
    out[#out + 1] = tostring(v)
  elseif t == "table" then
    out[#out + 1] = "{\n"
    local n = #v
    for i = 1, n do
      out[#out + 1] = indent .. "  "
      serialize(v[i], out, indent .. "  ")
      out[#out + 1] = ",\n"
    end
    local keys = {}
    for k in pairs(v) do
      if not (math.type(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
    end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    for _, k in ipairs(keys) do
      out[#out + 1] = indent .. "  ["
      serialize(k, out, indent .. "  ")
      out[#out + 1] = "] = "
      serialize(v[k], out, indent .. "  ")
      out[#out + 1] = ",\n"
    end
    out[#out + 1] = indent .. "}"
  else
    error("checkpoint: cannot store a " .. t, 0)
  end
end

--- Write `data` to `path` atomically.
function checkpoint.save(path, data)
  local out = {"return "}
  serialize(data, out, "")
  out[#out + 1] = "\n"
  return mio.write_atomic(path, table.concat(out))
end

--- Read a checkpoint; nil, message when missing or malformed.
function checkpoint.load(path)
  local f, err = io.open(path, "r")
  if not f then return nil, err end
  local src = f:read("a")
  f:close()
  local chunk, perr = load(src, "=" .. path, "t", {})
  if not chunk then return nil, "malformed checkpoint " .. path .. ": " .. perr end
  local ok, data = pcall(chunk)
  if not ok or type(data) ~= "table" then return nil, "malformed checkpoint " .. path end
  return data
end

--- Run fn(); if it raises "interrupted!" (Ctrl-C in the maghop host), call
-- on_interrupt() (which should save a checkpoint) and exit with status 130.
-- Other errors propagate unchanged.
function checkpoint.guard(fn, on_interrupt)
  local ok, err = pcall(fn)
  if ok then return end
  if tostring(err):find("interrupted!", 1, true) then
    on_interrupt()
    io.stderr:write("\ninterrupted: checkpoint saved; rerun with --resume to continue\n")
    os.exit(130)
  end
  error(err, 0)
end

return checkpoint
