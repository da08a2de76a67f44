--- Argument and option checks for the Lua half, with one message style:
-- "<function>: option '<key>' = <value>: <what is accepted>", and
-- `public(t)`, which makes every error raised inside maghop's own files by
-- a function of t point at the user's call instead.
local args = {}

local function show(v)
  if type(v) == "string" then return ("'%s'"):format(v) end
  if v ~= v then return "nan" end
  if math.type(v) == "float" then return ("%.6g"):format(v) end
  return tostring(v)
end
--- A value as messages print it: strings quoted, NaN as nan, floats with
-- 6 significant digits.
-- @function show
-- @param v any value
-- @treturn string
args.show = show

-- Errors are raised at level 1 here: public() turns a location inside
-- maghop into the user's call site.
local function fail(fmt, ...) error(fmt:format(...), 2) end
--- Raise string.format(fmt, ...) as an error (never returns).
-- @function fail
-- @tparam string fmt format
-- @param ... format arguments
-- @raise always
args.fail = fail

local accepted_cache = setmetatable({}, {__mode = "k"})
local function accepted_text(accepted)
  local s = accepted_cache[accepted]
  if not s then
    local names = {}
    for _, k in ipairs(accepted) do names[#names + 1] = k end
    table.sort(names)
    s = table.concat(names, ", ")
    accepted_cache[accepted] = s
  end
  return s
end

--- The options table `t` of function `fname` (an empty table when nil);
-- raises when t is not a table or holds a key not in the list `accepted`.
-- @tparam string fname function name for messages
-- @tparam table|nil t the options
-- @tparam {string,...} accepted accepted keys (a `set` field is cached in it)
-- @treturn table t, or {} when nil
-- @raise on a non-table t or an unknown key (the message lists the accepted ones)
function args.options(fname, t, accepted)
  if t == nil then return {} end
  if type(t) ~= "table" then fail("%s: options must be a table, got %s", fname, type(t)) end
  local set = accepted.set
  if not set then
    set = {}
    for _, k in ipairs(accepted) do set[k] = true end
    accepted.set = set
  end
  for k in pairs(t) do
    if not set[k] then
      fail("%s: unknown option %s (accepted: %s)", fname, show(k), accepted_text(accepted))
    end
  end
  return t
end

--- A number `v` named `what` ("option 'rest'", "argument 'count'") of
-- function fname, or `spec.default` when v is nil (spec.default == nil:
-- required). spec: min/max (inclusive), gt/lt (exclusive), integer, unit,
-- why (a reason shown with the range). An integral float passes an
-- integer spec and is returned as an integer.
-- @tparam string fname function name that starts the message
-- @tparam string what name of the value, e.g. "option 'rest'"
-- @param v the value
-- @tparam[opt] table spec min, max, gt, lt, integer, default, unit, why
-- @treturn number v or spec.default
-- @raise when v is missing without a default, not a number, not finite, not
-- integral when required, or outside the range
function args.number(fname, what, v, spec)
  spec = spec or {}
  if v == nil then
    if spec.default ~= nil then return spec.default end
    fail("%s: %s is required", fname, what)
  end
  if type(v) ~= "number" then fail("%s: %s must be a number, got %s", fname, what, type(v)) end
  local unit = spec.unit and (" " .. spec.unit) or ""
  if v ~= v or v == math.huge or v == -math.huge then
    fail("%s: %s = %s: finite number expected", fname, what, show(v))
  end
  if spec.integer and math.type(v) ~= "integer" then
    if v ~= math.floor(v) then fail("%s: %s = %s: integer expected", fname, what, show(v)) end
    v = math.tointeger(v)
  end
  local lo = spec.min or spec.gt
  local hi = spec.max or spec.lt
  if (spec.min and v < spec.min) or (spec.gt and v <= spec.gt) or (spec.max and v > spec.max)
     or (spec.lt and v >= spec.lt) then
    local range
    if spec.integer and spec.min and spec.max then
      range = ("%d..%d"):format(spec.min, spec.max)
    elseif lo and hi then
      range = ("%s%s, %s%s"):format(spec.min and "[" or "(", show(lo), show(hi), spec.max and "]" or ")")
    elseif lo then
      range = (spec.min and ">= %s" or "> %s"):format(show(lo))
    else
      range = (spec.max and "<= %s" or "< %s"):format(show(hi))
    end
    fail("%s: %s = %s outside the accepted range %s%s%s", fname, what, show(v), range, unit,
         spec.why and (" (" .. spec.why .. ")") or "")
  end
  return v
end

--- Option `key` of table `t` checked by args.number.
-- @tparam string fname
-- @tparam table t options table
-- @tparam string key option name
-- @tparam[opt] table spec as `number`
-- @treturn number the value or its default
-- @raise as `number`
function args.opt(fname, t, key, spec)
  return args.number(fname, ("option '%s'"):format(key), t[key], spec)
end

--- A ±1 state `x` (a table, an n x 1 Array or a "+-+-" label) named `what` of function
-- fname, of length n when n is given; returns it as a table.
-- @tparam string fname function name that starts the message
-- @tparam string what name of the value, e.g. "option 'rest'"
-- @param x table, n x 1 Array or "+-" label (U+2212 counts as '-')
-- @tparam[opt] integer n required length
-- @treturn {number,...} the ±1 entries
-- @raise on another type, an Array with more than one column, an empty
-- state, a wrong length, a label character other than + and -, or an entry
-- other than ±1
function args.pm1(fname, what, x, n)
  if type(x) == "string" then -- a "+-+-" label ('−' too); nothing else is accepted
    local label, t = x, {}
    local text = label:gsub("\u{2212}", "-")
    for i = 1, #text do
      local ch = text:sub(i, i)
      if ch == "+" then t[i] = 1
      elseif ch == "-" then t[i] = -1
      else fail("%s: %s '%s': character %d is '%s'; only '+' and '-' are accepted", fname, what, label, i, ch) end
    end
    x = t
  elseif type(x) == "userdata" and x.totable and x.shape then
    local r, c = x:shape()
    if c ~= 1 then fail("%s: %s must be a vector of +1/-1, got a %dx%d Array", fname, what, r, c) end
    x = x:totable()
  elseif type(x) ~= "table" then
    fail("%s: %s must be a table of +1/-1, got %s", fname, what, type(x))
  end
  local len = #x
  if len == 0 then fail("%s: %s is empty", fname, what) end
  if n and len ~= n then fail("%s: %s has %d entries, %d expected", fname, what, len, n) end
  for i = 1, len do
    local v = x[i]
    if v ~= 1 and v ~= -1 then fail("%s: %s[%d] = %s; entries must be +1 or -1", fname, what, i, show(v)) end
  end
  return x
end

--- An integer named `what` in lo..hi (lo, hi optional); `default` when nil
-- and default is given. Integral floats are accepted.
-- @tparam string fname function name that starts the message
-- @tparam string what name of the value, e.g. "option 'rest'"
-- @param v the value
-- @tparam[opt] integer lo smallest accepted
-- @tparam[opt] integer hi largest accepted
-- @tparam[opt] integer default value when v is nil (required otherwise)
-- @treturn integer
-- @raise as `number`
function args.integer(fname, what, v, lo, hi, default)
  return args.number(fname, what, v, {integer = true, min = lo, max = hi, default = default})
end

--- A string named `what` that is one of the list `choices`.
-- @tparam string fname function name that starts the message
-- @tparam string what name of the value, e.g. "option 'rest'"
-- @param v the value
-- @tparam {string,...} choices accepted values
-- @param[opt] default value when v is nil
-- @return v or default
-- @raise when v is none of choices
function args.choice(fname, what, v, choices, default)
  if v == nil and default ~= nil then return default end
  for _, c in ipairs(choices) do if v == c then return v end end
  fail("%s: %s = %s is not one of %s", fname, what, show(v), table.concat(choices, ", "))
end

--- A value of type `ty` ("table", "string", ...) named `what`.
-- @tparam string fname function name that starts the message
-- @tparam string what name of the value, e.g. "option 'rest'"
-- @param v the value
-- @tparam string ty a type() name
-- @return v
-- @raise when type(v) ~= ty
function args.type(fname, what, v, ty)
  if type(v) ~= ty then fail("%s: %s must be a %s, got %s", fname, what, ty, type(v)) end
  return v
end

-- v when it is a userdata whose metatable is the one registered as
-- `tname`; otherwise raises "<fname>: <what> must be <desc>, got <type>".
local function udata(fname, what, v, tname, desc)
  if type(v) ~= "userdata" or getmetatable(v) ~= debug.getregistry()[tname] then
    fail("%s: %s must be %s, got %s", fname, what, desc, type(v))
  end
  return v
end

--- A film (mh.film) named `what`.
-- @tparam string fname function name that starts the message
-- @tparam string what name of the value, e.g. "option 'rest'"
-- @param v the value
-- @treturn Film v
-- @raise when v is not a Film
function args.film(fname, what, v)
  return udata(fname, what, v, "maghop.Film", "a film (mh.film)")
end

--- An Array (mh.array) named `what`, or a table (of rows), returned as it is.
-- @tparam string fname function name that starts the message
-- @tparam string what name of the value, e.g. "option 'rest'"
-- @param v the value
-- @treturn Array|table v
-- @raise when v is neither a table nor an Array
function args.matrix(fname, what, v)
  if type(v) == "table" then return v end
  return udata(fname, what, v, "maghop.Array", "an Array or a table of rows")
end

--- A vector field (mh.field, film:m()) named `what`.
-- @tparam string fname function name that starts the message
-- @tparam string what name of the value, e.g. "option 'm'"
-- @param v the value
-- @treturn Field v
-- @raise when v is not a Field
function args.field(fname, what, v)
  return udata(fname, what, v, "maghop.Field", "a Field (mh.field or film:m())")
end

--- An Array (mh.array) named `what`.
-- @tparam string fname function name that starts the message
-- @tparam string what name of the value, e.g. "option 'rest'"
-- @param v the value
-- @treturn Array v
-- @raise when v is not an Array
function args.array(fname, what, v)
  return udata(fname, what, v, "maghop.Array", "an Array")
end

-- A message that starts with a location inside maghop's Lua files: the
-- host's embedded chunks ("[maghop] maghop.twin:12: ") or installed or
-- source files (".../lua/maghop/twin.lua:12: ", ".../share/lua/5.4/...").
local function internal_rest(msg)
  return msg:match("^%[maghop%] maghop[%w_.]*:%d+: (.*)$")
      or msg:match("^[^\n:]*lua[^\n:]*/maghop/[%w_]+%.lua:%d+: (.*)$")
end
args.internal_rest = internal_rest

-- A function's source is one of maghop's Lua files (the two forms of
-- internal_rest: the host's embedded chunks, installed or source files).
local function own_source(src)
  return src:match("^=%[maghop%] maghop[%w_.]*$") or src:match("^@[^\n:]*lua[^\n:]*/maghop/[%w_]+%.lua$")
end

-- An error raised by the user's own code (a callback) inside a public
-- function, boxed by the message handler so that rethrow passes it on as
-- it is; `passing` holds it while it leaves a wrapper, so that an outer
-- wrapper's handler knows it too.
local USER_ERROR = {}
local passing

-- Message handler of the wrappers: box the error when the first Lua
-- function on the stack from the raise up is not maghop's.
local function mark_user_error(err)
  if passing ~= nil and rawequal(err, passing) then
    passing = nil
    return setmetatable({err}, USER_ERROR)
  end
  for level = 2, math.huge do
    local info = debug.getinfo(level, "S")
    if not info then return err end
    if info.what ~= "C" then
      return own_source(info.source) and err or setmetatable({err}, USER_ERROR)
    end
  end
end

--- Raise again, as it was, an error that the user's code (a callback)
-- raised under a pcall of maghop's: the public function passes it on
-- unchanged, as one that had not been caught.
-- @param err the error object caught
function args.raise_user_error(err)
  passing = err
  error(err, 0)
end

-- The prefixes given to args.public that hold a space ("pairwise device:"):
-- a message that starts with one names its function, which the "name: "
-- pattern of names_function cannot see.
local public_prefixes = {}

-- Whether msg starts by naming a function: "name: " or a public prefix.
local function names_function(msg)
  if msg:match("^[%w_.:]+: ") then return true end
  for _, p in ipairs(public_prefixes) do
    if msg:sub(1, #p) == p then return true end
  end
  return false
end

-- An error leaves a public function with the user's location: one raised
-- inside maghop loses that location, one raised without a location (or at
-- a level that now points at the pcall below) gets the user's; one that
-- already names another place (an error at the user's level) passes
-- unchanged, as do non-string errors (cli.fail) and whatever a user
-- callback raised. A C function's "bad argument #3 to 'amr_solver' (why)"
-- names an internal call the user never made: it becomes "<public name>:
-- why"; a message that names no function at all gets the public name in
-- front.
local function rethrow(name, ok, ...)
  if ok then return ... end
  local err = ...
  if getmetatable(err) == USER_ERROR then
    passing = err[1]
    error(err[1], 0)
  end
  if type(err) == "string" then
    local rest = internal_rest(err)
    if rest and rest:match("^attempt to ") then rest = err end -- a bug inside maghop keeps its place
    if rest or not err:match("^[^\n]-:%d+: ") then
      local msg = rest or err
      local why = msg:match("^bad argument #%d+ to '[^']*' %((.*)%)$")
      if why then
        msg = name .. ": " .. why
      elseif not (names_function(msg) or rest == err) then
        msg = name .. ": " .. msg
      end
      error(msg, 2) -- rethrow is tail-called: level 2 is the user's call
    end
  end
  error(err, 0)
end

local wrapped = setmetatable({}, {__mode = "k"})

--- Wrap every Lua function of table t in place so that an error raised
-- inside maghop is reported at the caller's line; C functions (which
-- already report there) and non-functions are left alone. Returns t.
-- Metamethods (keys starting with "__") are not wrapped. `prefix` starts
-- the name of each function in messages: "amr." gives "amr.conductance",
-- "twin:" gives "twin:pulse".
-- @tparam table t module or method table
-- @tparam string prefix module name with "." or type name with ":"
-- @treturn table t
function args.public(t, prefix)
  args.type("args.public", "argument 'prefix'", prefix, "string")
  if prefix:find(" ", 1, true) then public_prefixes[#public_prefixes + 1] = prefix end
  for k, f in pairs(t) do
    if type(f) == "function" and not wrapped[f] and debug.getinfo(f, "S").what == "Lua"
       and not (type(k) == "string" and k:sub(1, 2) == "__") then -- metamethods stay as they are
      local name = prefix .. tostring(k)
      local w = function(...)
        passing = nil
        return rethrow(name, xpcall(f, mark_user_error, ...))
      end
      wrapped[w] = true
      t[k] = w
    end
  end
  return t
end

return args
