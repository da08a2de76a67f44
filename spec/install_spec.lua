-- Packaging: the embedded host runs with no LUA_PATH, and the rockspec
-- builds and installs offline into a fresh tree from a clean copy of the
-- sources, after which plain lua5.4 can require "maghop".
local lu = require "luaunit"
local mio = require "maghop.io"
local function mh_film() return require("maghop").film {nx = 2, ny = 2, dx = 5e-9} end
local H = dofile("spec/helpers.lua")

local T = {}

local function sh(cmd)
  local p = io.popen(cmd .. " 2>&1; echo \"__rc=$?\"")
  local out = p:read("a")
  p:close()
  local rc = tonumber(out:match("__rc=(%d+)%s*$"))
  return rc, out:gsub("__rc=%d+%s*$", "")
end

function T.test_host_runs_without_lua_path()
  local host = H.host()
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

-- The rock as a user gets it: `luarocks make` offline from the Debian
-- packages (--deps-mode=none: the declared argparse/luaunit rocks are the
-- Debian lua-argparse/lua-unit here) into a fresh tree with a fresh HOME,
-- `luarocks test` on it, the examples found through `maghop --examples` and
-- run from another folder by the tree's maghop and by plain lua5.4, and the
-- HTML reference in the rock (luarocks doc) when ldoc is installed. Run as
-- root (CI), all of it runs as an unprivileged user (uid 65534 through
-- setpriv) from its own copy of the sources, so nothing needs root.
function T.test_luarocks_make_installs_offline()
  local rc0 = sh("command -v luarocks")
  if rc0 ~= 0 then lu.skip("luarocks not installed") end
  H.once_per_make_test()
  local tmp = os.tmpname()
  os.remove(tmp)
  local src, tree, home, elsewhere = tmp .. "/src", tmp .. "/tree", tmp .. "/home", tmp .. "/elsewhere"
  mio.mkdir(home)
  mio.mkdir(elsewhere)
  local Q = mio.shell_quote
  local function cleanup() os.execute("rm -rf " .. Q(tmp)) end
  local as_user = ""
  if select(2, sh("id -u")):match("^0%s") and sh("command -v setpriv") == 0 then
    as_user = "setpriv --reuid=65534 --regid=65534 --clear-groups "
  end
  -- a plain build whatever the outer make got: make exports SANITIZE=1 to us
  local env = ("%senv -u SANITIZE -u MAKELEVEL -u MFLAGS HOME=%s MAKEFLAGS=-j2 "):format(as_user, Q(home))
  local rc, out
  local shared = os.getenv("MAGHOP_ROCK_TREE")
  if as_user == "" and shared and shared ~= "" then
    -- make test already ran `luarocks make --deps-mode=none` from this checkout into it
    tree, src = shared, "."
  else
    -- a clean copy of the sources (tracked and not-ignored files), no build/ (outside a git
    -- checkout, e.g. under `luarocks test` of an unpacked rock: all but build/ and out/)
    mio.mkdir(src)
    rc, out = sh(("if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then "
      .. "git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t %s; "
      .. "else tar --exclude=./build --exclude=./out -cf - . | tar -xf - -C %s; fi"):format(Q(src), Q(src)))
    lu.assertEquals(rc, 0, out)
    if as_user ~= "" then
      rc, out = sh("chown -R 65534:65534 " .. Q(tmp))
      lu.assertEquals(rc, 0, out)
    end
    rc, out = sh(("cd %s && %s luarocks --lua-version=5.4 --tree=%s make --deps-mode=none "
      .. "rockspec/maghop-scm-1.rockspec"):format(Q(src), env, Q(tree)))
    if rc ~= 0 then cleanup() end
    lu.assertEquals(rc, 0, out)
  end
  local lr = env .. "luarocks --lua-version=5.4 --tree=" .. Q(tree)
  -- luarocks test: the rockspec's test command, here on a small part of the suite
  rc, out = sh(("cd %s && %s test rockspec/maghop-scm-1.rockspec -- TestCli"):format(Q(src), lr))
  if rc ~= 0 then cleanup() end
  lu.assertEquals(rc, 0, out)
  lu.assertStrContains(out, "passed, 0 failed")
  -- the examples are in the tree, found by maghop --examples, and run from another folder
  local host = tree .. "/bin/maghop"
  rc, out = sh(Q(host) .. " --examples")
  local exdir = out:match("^(.-)\n$")
  if rc ~= 0 or not exdir then cleanup() end
  lu.assertEquals(rc, 0, out)
  lu.assertEquals(exdir:sub(1, #tree), tree)
  lu.assertTrue(mio.exists(exdir .. "/fig5_letters.lua"))
  rc, out = sh(as_user .. "sh -c " .. Q(("cd %s && %s %s --out lg --quiet && "
    .. "eval \"$(luarocks --lua-version=5.4 --tree=%s path)\" && "
    .. "lua5.4 %s --out lg2 --quiet && lua5.4 %s --help && "
    .. "lua5.4 -e 'local mh = require \"maghop\"; print(\"ok\", mh.version, mh.compact.new().nodes)' && "
    .. "%s -e 'print(\"host\", require(\"maghop\").version)' && id -u")
    :format(Q(elsewhere), Q(host), Q(exdir .. "/logic_gates.lua"), Q(tree), Q(exdir .. "/logic_gates.lua"),
            Q(exdir .. "/stdprob4.lua"), Q(host))))
  local tables_ok = mio.exists(elsewhere .. "/lg/truth_tables.txt") and mio.exists(elsewhere .. "/lg2/truth_tables.txt")
  local doc_ok = mio.exists(exdir .. "/../doc/index.html")
  local has_ldoc = sh("command -v ldoc") == 0
  cleanup()
  lu.assertEquals(rc, 0, out)
  lu.assertStrContains(out, "gates_ok=4/4")
  lu.assertStrContains(out, "--t-ns")
  lu.assertTrue(tables_ok)
  lu.assertStrContains(out, "ok\t")
  lu.assertStrContains(out, "\t4")
  lu.assertStrContains(out, "host\t")
  if as_user ~= "" then lu.assertStrContains(out, "\n65534\n") end -- it did run unprivileged
  if has_ldoc then lu.assertTrue(doc_ok, "no doc/index.html in the rock") end
end

-- make doc: the HTML reference has a page per module of the Lua half and
-- of the C bindings (maghop.core), with the documented functions.
function T.test_make_doc()
  if sh("command -v ldoc") ~= 0 then lu.skip("ldoc not installed") end
  local rc, out = sh("make --no-print-directory doc")
  lu.assertEquals(rc, 0, out)
  for _, page in ipairs {"index.html", "modules/maghop.html", "modules/maghop.cli.html",
                         "modules/maghop.compact.html", "modules/maghop.hopfield.html"} do
    lu.assertTrue(mio.exists("build/doc/" .. page), page)
  end
  local cli = assert(io.open("build/doc/modules/maghop.cli.html")):read("a")
  lu.assertStrContains(cli, "parse")
  lu.assertStrContains(cli, "Returns")
  -- the C bindings: a page per class and module, every method with units and errors
  for _, page in ipairs {"classes/Film.html", "classes/Field.html", "classes/Array.html",
                         "modules/maghop.ovf.html", "modules/maghop.demag.html"} do
    lu.assertTrue(mio.exists("build/doc/" .. page), page)
  end
  local film = assert(io.open("build/doc/classes/Film.html")):read("a")
  for _, text in ipairs {"mh.film", "Film:run", "Film:relax", "Film:minimize", "Film:energy", "Film:set_m",
                         "Film:save_vtk", "A/m (absolute", "MuMax3 table.txt", "Raises"} do
    lu.assertStrContains(film, text)
  end
  -- every method registered on a Film is documented
  local f = mh_film()
  for name in pairs(getmetatable(f).__index) do
    if name ~= "snapshot" then lu.assertStrContains(film, "Film:" .. name, false) end
  end
  lu.assertStrContains(assert(io.open("build/doc/modules/maghop.ovf.html")):read("a"), "mh.vtk.write")
end

return {TestInstall = T}
