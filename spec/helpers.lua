-- spec/helpers.lua — small shared test helpers (not a spec file itself).
local H = {}

--- Seeded pseudo-random generator independent of math.random's global state.
function H.rng(seed)
  local state = seed * 2654435761 % 4294967296
  return function()
    state = (1103515245 * state + 12345) % 2147483648
    return state / 2147483648
  end
end

--- Random symmetric n x n matrix with entries in [-1, 1] and zero diagonal.
function H.random_symmetric(n, rand)
  local w = {}
  for i = 1, n do w[i] = {} end
  for i = 1, n do
    w[i][i] = 0
    for j = i + 1, n do
      local v = 2 * rand() - 1
      w[i][j], w[j][i] = v, v
    end
  end
  return w
end

function H.random_state(n, rand)
  local s = {}
  for i = 1, n do s[i] = rand() < 0.5 and -1 or 1 end
  return s
end

--- Contents of a file (binary), or nil when it cannot be opened.
function H.slurp(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

--- Assert that calling fn raises an error whose message contains `needle`.
function H.raises(needle, fn, ...)
  local ok, err = pcall(fn, ...)
  if ok then error("expected an error containing '" .. needle .. "', got success", 2) end
  if not tostring(err):find(needle, 1, true) then
    error(("expected an error containing '%s', got: %s"):format(needle, tostring(err)), 2)
  end
end

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end
H.shell_quote = q

--- Run a shell command; returns its exit status and its stdout+stderr.
function H.sh(cmd)
  local p = io.popen(cmd .. " 2>&1; echo \"__rc=$?\"")
  local out = p:read("a")
  p:close()
  local rc = tonumber(out:match("__rc=(%d+)%s*$"))
  return rc, (out:gsub("__rc=%d+%s*$", ""))
end

--- True when the suite runs inside the maghop host (which preloads the
-- module) rather than plain lua5.4 with LUA_PATH/LUA_CPATH.
function H.in_host() return package.preload["maghop.core"] ~= nil end

--- Path of the maghop host: MAGHOP_HOST, else this interpreter when it is
-- the host, else build/bin/maghop.
function H.host()
  local env = os.getenv("MAGHOP_HOST")
  if env and env ~= "" then return env end
  if H.in_host() and arg and arg[-1] then return arg[-1] end
  return "build/bin/maghop"
end

--- Skip the calling test in the second pass of `make test` (plain lua5.4
-- from the rock tree) when it only starts other processes, so its result
-- cannot depend on the interpreter running the suite.
function H.once_per_make_test()
  if os.getenv("MAGHOP_SUITE_PASS") == "plain" then
    require("luaunit").skip("spawns its own processes: runs in the host pass of make test only")
  end
end

local rock_tree
--- A LuaRocks tree with maghop installed: MAGHOP_ROCK_TREE (make test
-- builds one per run in build/rocktree), else built once per process with
-- `luarocks make` from a clean copy of the sources into a temporary tree.
-- Returns the tree path, or nil and the luarocks output.
function H.rock_tree()
  if rock_tree then return rock_tree end
  local env = os.getenv("MAGHOP_ROCK_TREE")
  if env and env ~= "" then rock_tree = env; return env end
  local tmp = os.tmpname()
  os.remove(tmp)
  local src, tree = tmp .. "/src", tmp .. "/tree"
  -- the sources: tracked and not-ignored files of a git checkout, else (an
  -- unpacked copy, as under `luarocks test`) everything but build/ and out/
  local rc, out = H.sh(("mkdir -p %s && if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then "
    .. "git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t %s; "
    .. "else tar --exclude=./build --exclude=./out -cf - . | tar -xf - -C %s; fi && "
    .. "cd %s && env -u SANITIZE -u MAKELEVEL -u MFLAGS MAKEFLAGS=-j2 luarocks --lua-version=5.4 --tree=%s "
    .. "make --deps-mode=none rockspec/maghop-scm-1.rockspec"):format(q(src), q(src), q(src), q(src), q(tree)))
  if rc ~= 0 then return nil, out end
  rock_tree = tree
  return tree
end

local rock_envs = {}
--- Shell prefix that makes plain lua5.4 load maghop from the rock tree only.
function H.rock_env(tree)
  if rock_envs[tree] then return rock_envs[tree] end
  local _, lp = H.sh(("luarocks --lua-version=5.4 --tree=%s path --lr-path"):format(q(tree)))
  local _, lcp = H.sh(("luarocks --lua-version=5.4 --tree=%s path --lr-cpath"):format(q(tree)))
  rock_envs[tree] = ("env -u LUA_PATH_5_4 -u LUA_CPATH_5_4 LUA_PATH=%s LUA_CPATH=%s "):format(
    q(lp:gsub("%s+$", "") .. ";;"), q(lcp:gsub("%s+$", "") .. ";;"))
  return rock_envs[tree]
end

return H
