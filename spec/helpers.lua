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

--- Assert that calling fn raises an error whose message contains `needle`.
function H.raises(needle, fn, ...)
  local ok, err = pcall(fn, ...)
  if ok then error("expected an error containing '" .. needle .. "', got success", 2) end
  if not tostring(err):find(needle, 1, true) then
    error(("expected an error containing '%s', got: %s"):format(needle, tostring(err)), 2)
  end
end

return H
