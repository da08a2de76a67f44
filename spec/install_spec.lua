-- Packaging: the embedded host runs with no LUA_PATH, and the rockspec
-- builds and installs offline into a fresh tree from a clean copy of the
-- sources, after which plain lua5.4 can require "maghop".
local lu = require "luaunit"
local mio = require "maghop.io"

local T = {}

local function sh(cmd)
  local p = io.popen(cmd .. " 2>&1; echo \"__rc=$?\"")
  local out = p:read("a")
  p:close()
  local rc = tonumber(out:match("__rc=(%d+)%s*$"))
  return rc, out:gsub("__rc=%d+%s*$", "")
end

function T.test_host_runs_without_lua_path()
  local host = arg and arg[-1] or "build/bin/maghop"
  local rc, out = sh("env -u LUA_PATH -u LUA_CPATH -u LUA_PATH_5_4 -u LUA_CPATH_5_4 " .. mio.shell_quote(host)
    .. [[ -e 'local mh = require "maghop"; local d = mh.compact.new(); d:pulse({1,1,-1,-1}, 3); print(mh.version, d.nodes, arg[0] ~= nil)']])
  lu.assertEquals(rc, 0, out)
  lu.assertStrContains(out, "4\ttrue")
  rc, out = sh(mio.shell_quote(host) .. " -e 'error(\"boom\")'")
  lu.assertEquals(rc, 1)
  lu.assertStrContains(out, "boom")
  lu.assertStrContains(out, "stack traceback")
  -- bad command-line use: the message alone, no traceback
  rc, out = sh(mio.shell_quote(host) .. " examples/fig5_letters.lua --bogus")
  lu.assertEquals(rc, 1)
  lu.assertStrContains(out, "unknown option '--bogus'")
  lu.assertNotStrContains(out, "traceback")
end

function T.test_luarocks_make_installs_offline()
  local rc0 = sh("command -v luarocks")
  if rc0 ~= 0 then lu.skip("luarocks not installed") end
  local tmp = os.tmpname()
  os.remove(tmp)
  local src, tree = tmp .. "/src", tmp .. "/tree"
  mio.mkdir(src)
  -- a clean copy of the sources (tracked and not-ignored files), no build/
  local rc, out = sh(("git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t %s")
    :format(mio.shell_quote(src)))
  lu.assertEquals(rc, 0, out)
  -- a plain build whatever the outer make was given (SANITIZE=1 is exported to us)
  -- a plain build whatever the outer make got: make exports SANITIZE=1 to us
  rc, out = sh(("cd %s && env -u SANITIZE -u MAKELEVEL -u MFLAGS MAKEFLAGS=-j2 luarocks --lua-version=5.4 --tree=%s make rockspec/maghop-scm-1.rockspec")
    :format(mio.shell_quote(src), mio.shell_quote(tree)))
  lu.assertEquals(rc, 0, out)
  rc, out = sh(("cd /tmp && eval \"$(luarocks --lua-version=5.4 --tree=%s path)\" && "
    .. "lua5.4 -e 'local mh = require \"maghop\"; print(\"ok\", mh.version, mh.compact.new().nodes)' && "
    .. "%s/bin/maghop -e 'print(\"host\", require(\"maghop\").version)'"):format(mio.shell_quote(tree), mio.shell_quote(tree)))
  os.execute("rm -rf " .. mio.shell_quote(tmp))
  lu.assertEquals(rc, 0, out)
  lu.assertStrContains(out, "ok\t")
  lu.assertStrContains(out, "\t4")
  lu.assertStrContains(out, "host\t")
end

return {TestInstall = T}
