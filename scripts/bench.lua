-- bench.lua — run every scripts/bench_*.lua (each prints its own table and
-- appends to out/bench/results.txt). Usage: build/bin/maghop scripts/bench.lua [filter]
local mio = require "maghop.io"
local host = arg[-1] or "build/bin/maghop"
local filter = arg[1]
mio.mkdir("out/bench")
local p = io.popen("ls scripts/bench_*.lua")
local failed = 0
for path in p:lines() do
  if not filter or path:find(filter, 1, true) then
    print(("== %s"):format(path))
    local ok = os.execute(mio.shell_quote(host) .. " " .. mio.shell_quote(path))
    if not ok then failed = failed + 1; print("   FAILED: " .. path) end
  end
end
p:close()
print("results appended to out/bench/results.txt")
os.exit(failed == 0 and 0 or 1)
