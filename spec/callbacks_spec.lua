-- Lua callbacks of a film (field_fn, on_step, the function of set_m): a
-- callback cannot free the film under the running call or change its state
-- in the middle of a step ("film in use"), a run's callbacks belong to that
-- run, the film stays usable after an error in a callback, and a run cut
-- short by max_steps or an unresolvable time does not report success.
local lu = require "luaunit"
local mh = require "maghop"
local H = dofile("spec/helpers.lua")

local T = {}

local function film()
  local f = mh.film {nx = 4, ny = 4, dx = 5e-9, demag = false}
  f:set_uniform(1, 1, 0)
  return f
end

-- ok: the call must fail with "film in use"; the film must still work after it.
local function refused(f, fn, ...)
  H.raises("film in use", fn, ...)
  lu.assertNotNil(f:m())
  local steps = f:run(2e-13, {dt = 1e-13})
  lu.assertTrue(steps >= 1)
end

function T.test_close_from_callbacks_is_refused()
  local f = film()
  refused(f, f.run, f, 1e-12, {on_step = function(fl) fl:close() end})
  refused(f, f.run, f, 1e-12, {field_fn = function() f:close() return 0, 0, 0 end})
  refused(f, f.set_m, f, function() f:close() return 1, 0, 0 end)
  f:set_field_fn(function() f:close() return 0, 0, 0 end)
  for _, m in ipairs {"energy", "field", "max_torque"} do
    H.raises("film in use", f[m], f)
  end
  H.raises("film in use", f.relax, f, {max_steps = 10})
  H.raises("film in use", f.minimize, f, {max_iter = 10})
  f:set_field_fn(nil)
  -- a to-be-closed variable in a callback closes at the end of its scope
  refused(f, f.run, f, 1e-12, {on_step = function(fl) local g <close> = fl end})
  f:close()
  lu.assertEquals(tostring(f), "Film (closed)")
end

function T.test_reentry_from_field_fn_is_refused()
  local f = film()
  refused(f, f.run, f, 1e-12, {field_fn = function() f:run(1e-13) return 0, 0, 0 end})
  refused(f, f.run, f, 1e-12, {field_fn = function() f:set_uniform(0, 0, 1) return 0, 0, 0 end})
  refused(f, f.run, f, 1e-12, {field_fn = function() f:energy() return 0, 0, 0 end})
  refused(f, f.run, f, 1e-12, {field_fn = function() f:set_field {1, 2, 3} return 0, 0, 0 end})
  refused(f, f.run, f, 1e-12, {field_fn = function() f:time(0) return 0, 0, 0 end})
  refused(f, f.run, f, 1e-12, {on_step = function() f:run(1e-13) end})
  refused(f, f.run, f, 1e-12, {on_step = function() f:relax() end})
  refused(f, f.run, f, 1e-12, {on_step = function() f:set_field_fn(nil) end})
  refused(f, f.set_m, f, function() f:set_uniform(1, 0, 0) return 1, 0, 0 end)
  -- the message names the method and the callback
  local ok, err = pcall(f.run, f, 1e-12, {field_fn = function() f:run(1e-13) return 0, 0, 0 end})
  lu.assertFalse(ok)
  lu.assertStrContains(err, "film:run cannot be called from its field_fn")
end

function T.test_reading_from_callbacks_works()
  local f = film()
  local seen = 0
  local steps = f:run(1e-12, {every = 2.5e-13, field_fn = function(t)
    local mx = f:avg()
    lu.assertTrue(mx > 0)
    return 1e3, 0, 0
  end, on_step = function(fl, t)
    -- between steps: reads, energies, and state changes for the next step
    local E = fl:energy()
    lu.assertTrue(E == E)
    fl:set_field {0, 0, 10}
    seen = seen + 1
  end})
  lu.assertTrue(steps >= 4)
  lu.assertEquals(seen, 4)
end

function T.test_run_callbacks_are_not_sticky()
  local f = film()
  local calls = 0
  f:run(2e-13, {dt = 1e-13, field_fn = function() calls = calls + 1 return 0, 0, 0 end})
  lu.assertTrue(calls > 0)
  local after = calls
  f:run(2e-13, {dt = 1e-13})
  lu.assertEquals(calls, after) -- the run's field_fn is gone with its run
  -- an error in a run's field_fn does not break later runs
  H.raises("boom", f.run, f, 2e-13, {dt = 1e-13, field_fn = function() error("boom") end})
  lu.assertTrue(f:run(2e-13, {dt = 1e-13}) >= 1)
  H.raises("boom", f.run, f, 2e-13, {dt = 1e-13, on_step = function() error("boom") end})
  lu.assertTrue(f:run(2e-13, {dt = 1e-13}) >= 1)
  H.raises("boom", f.set_m, f, function() error("boom") end)
  lu.assertTrue(f:run(2e-13, {dt = 1e-13}) >= 1)
  -- the film's own field_fn (set_field_fn) stays, and comes back after a run that had its own
  local own = 0
  f:set_field_fn(function() own = own + 1 return 0, 0, 0 end)
  f:run(2e-13, {dt = 1e-13, field_fn = function() return 0, 0, 0 end})
  lu.assertEquals(own, 0)
  f:run(2e-13, {dt = 1e-13})
  lu.assertTrue(own > 0)
end

function T.test_truncated_run_is_not_success()
  local f = film()
  local steps, msg = f:run(1e-9, {max_steps = 3})
  lu.assertNil(steps)
  lu.assertStrContains(msg, "max_steps = 3 reached")
  lu.assertTrue(f:time() > 0 and f:time() < 1e-9)
  -- stopped on purpose by on_step: success
  f:time(0)
  steps = f:run(1e-9, {on_step = function() return false end})
  lu.assertEquals(steps, 1)
  -- a run that ends exactly on max_steps is complete
  f:time(0)
  steps = f:run(3e-13, {solver = "rk4", dt = 1e-13, max_steps = 3})
  lu.assertEquals(steps, 3)
end

function T.test_unresolvable_time_fails_fast()
  local f = film()
  f:time(1e5)
  local t0 = os.clock()
  H.raises("too large to resolve steps", f.run, f, 1e-11)
  H.raises("too large to resolve steps", f.run, f, 1e-11, {solver = "heun", dt = 1e-13})
  lu.assertTrue(os.clock() - t0 < 1)
  f:time(0)
  lu.assertTrue(f:run(1e-12) >= 1)
end

return {TestCallbacks = T}
