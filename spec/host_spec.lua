-- The maghop command takes the standalone lua5.4 interpreter's options:
-- -e, -l, -i, -v, -, --, LUA_INIT, `arg`; plus --help and --examples.
local lu = require "luaunit"
local mio = require "maghop.io"

local T = {}
local HOST = mio.shell_quote(dofile("spec/helpers.lua").host())

local function sh(cmd)
  local p = io.popen(cmd .. " 2>&1; echo \"__rc=$?\"")
  local out = p:read("a")
  p:close()
  local rc = tonumber(out:match("__rc=(%d+)%s*$"))
  return rc, out:gsub("__rc=%d+%s*$", "")
end

function T.test_help_and_version()
  local rc, out = sh(HOST .. " --help")
  lu.assertEquals(rc, 0, out)
  for _, opt in ipairs {"-e stat", "-i ", "-l mod", "-v ", "--examples", "execute stdin"} do
    lu.assertStrContains(out, opt)
  end
  rc, out = sh(HOST .. " -v")
  lu.assertEquals(rc, 0, out)
  lu.assertStrContains(out, "maghop " .. require("maghop").version .. " (Lua 5.4")
end

function T.test_e_l_and_arg_table()
  local rc, out = sh(HOST .. [[ -l mh=maghop -e 'print(mh.compact.new().nodes)' -e 'print(arg[1], arg[2])']])
  lu.assertEquals(rc, 0, out)
  lu.assertEquals(out, "4\n-l\tmh=maghop\n")
  local tmp = os.tmpname()
  local f = assert(io.open(tmp, "w"))
  f:write("print(arg[0] == ..., select('#', ...), arg[1], arg[2], arg[-1] ~= nil, ...)\n")
  f:close()
  rc, out = sh(HOST .. " " .. mio.shell_quote(tmp) .. " a 'b c'")
  lu.assertEquals(rc, 0, out)
  lu.assertEquals(out, "false\t2\ta\tb c\ttrue\ta\tb c\n")
  -- "-" runs stdin with the following arguments
  rc, out = sh("printf 'print(arg[0], ...)' | " .. HOST .. " - x y")
  lu.assertEquals(rc, 0, out)
  lu.assertEquals(out, "-\tx\ty\n")
  -- "--" ends the options: "-e" is then a script name
  rc, out = sh(HOST .. " -- -e")
  lu.assertEquals(rc, 1)
  lu.assertStrContains(out, "cannot open -e")
  -- piped stdin with no script is run as a chunk
  rc, out = sh("printf 'print(6 * 7)' | " .. HOST)
  lu.assertEquals(rc, 0, out)
  lu.assertEquals(out, "42\n")
  rc, out = sh("LUA_INIT='print(\"init\")' " .. HOST .. " -e 'print(1)'")
  lu.assertEquals(out, "init\n1\n")
  rc, out = sh("LUA_INIT='print(\"init\")' " .. HOST .. " -E -e 'print(1)'")
  lu.assertEquals(out, "1\n")
  os.remove(tmp)
end

function T.test_bad_options_fail_with_usage()
  for _, bad in ipairs {"-x", "-e", "-l", "-ix"} do
    local rc, out = sh(HOST .. " " .. bad)
    lu.assertEquals(rc, 1, bad)
    lu.assertStrContains(out, "usage: ")
  end
  local rc, out = sh(HOST .. " -e 'x ='")
  lu.assertEquals(rc, 1)
  lu.assertStrContains(out, "(command line):1:")
end

function T.test_interactive_repl()
  local rc, out = sh("printf 'x = 1 +\\n 2\\nx * 2\\n= x + 1\\nfor i = 1, 2 do\\n print(\"i\", i)\\nend\\nerror(\"boom\")\\nx\\n' | "
    .. HOST .. " -i -l mh=maghop")
  lu.assertEquals(rc, 0, out)
  lu.assertStrContains(out, "maghop ") -- the version banner
  lu.assertStrContains(out, "> 6\n")
  lu.assertStrContains(out, "> 4\n")
  lu.assertStrContains(out, "i\t1\ni\t2\n")
  lu.assertStrContains(out, "boom")
  lu.assertStrContains(out, "> 3\n") -- the session survives the error
end

function T.test_examples_folder()
  local rc, out = sh(HOST .. " --examples")
  lu.assertEquals(rc, 0, out)
  local dir = out:match("^(.-)\n$")
  lu.assertNotNil(dir, out)
  lu.assertTrue(mio.exists(dir .. "/fig3_oja_evolution.lua"), dir)
end

return {TestHost = T}
