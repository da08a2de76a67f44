--- Figures through gnuplot (pngcairo). Each function writes a PNG and
-- returns its path, or nil and a message when gnuplot is missing or fails
-- (figures are a convenience: results are always in the tables beside them).
--
-- Common options of every plot: png (string, required: output path, parent
-- folders are created), title, xlabel, ylabel (strings), width, height
-- (pixels), extra (gnuplot lines added before plotting).
-- @module maghop.plot
local mio = require "maghop.io"
local args = require "maghop.args"

local plot = {}

-- A gnuplot string expression holding s verbatim. Single-quoted pieces:
-- gnuplot does no backquote (shell) substitution, macro expansion or
-- escapes inside them; each quote of s is joined in as "'" (a doubled quote
-- at the start of a string does not parse). A line break would end the
-- command, so it becomes a space.
local function q(s)
  local parts = {}
  for piece in (tostring(s):gsub("[\r\n]", " ") .. "'"):gmatch("([^']*)'") do parts[#parts + 1] = "'" .. piece .. "'" end
  return table.concat(parts, [[."'".]])
end
plot.quote = q

-- A text cell of an inline ','-separated data block: no separator, no line
-- break (which could end the block and start commands).
local function cell(s) return (tostring(s):gsub("[\r\n,]", " ")) end

local has_gnuplot
-- the gnuplot command: $MAGHOP_GNUPLOT when set, else gnuplot on the PATH
local GNUPLOT = os.getenv("MAGHOP_GNUPLOT") or "gnuplot"

--- Whether gnuplot is installed (checked once; $MAGHOP_GNUPLOT names another command). When it is not, the first
-- plot call writes one warning to stderr and every plot returns nil, message
-- (data files are still written by the scripts).
-- @treturn boolean
function plot.available()
  if has_gnuplot == nil then
    has_gnuplot = os.execute("command -v " .. mio.shell_quote(GNUPLOT) .. " >/dev/null 2>&1") == true
  end
  return has_gnuplot
end

local warned = false

--- Run a gnuplot script; returns true or nil, message.
-- @string script gnuplot commands
-- The first call without gnuplot writes one warning to stderr.
-- @return true, or nil and a message (gnuplot missing or failed)
-- @raise when the temporary script file cannot be created
-- @usage local ok, err = mh.plot.gnuplot("set terminal dumb\nplot sin(x)\n")
function plot.gnuplot(script)
  if not plot.available() then
    if not warned then
      warned = true
      io.stderr:write("maghop: gnuplot not found: PNG figures are skipped, data files are still written "
        .. "(Debian: apt-get install gnuplot-nox)\n")
    end
    return nil, "gnuplot is not installed"
  end
  local tmp = os.tmpname()
  local f = assert(io.open(tmp, "w"))
  f:write(script)
  f:close()
  local ok, _, code = os.execute(mio.shell_quote(GNUPLOT) .. " " .. mio.shell_quote(tmp) .. " 2>/dev/null")
  os.remove(tmp)
  if not ok then return nil, "gnuplot failed or is not installed (exit " .. tostring(code) .. ")" end
  return true
end

-- The options table of plot function fname: a table whose keys are the
-- common ones (png, required string; title, xlabel, ylabel, width, height,
-- extra) or in `own`.
local function plot_options(fname, opts, own)
  opts = args.type(fname, "argument 'opts'", opts, "table")
  local accepted = {"png", "title", "xlabel", "ylabel", "width", "height", "extra"}
  for _, k in ipairs(own) do accepted[#accepted + 1] = k end
  args.options(fname, opts, accepted)
  args.type(fname, "option 'png'", opts.png, "string")
  return opts
end

-- Run a gnuplot script that writes png: png, or nil and a message.
local function render(png, script)
  local ok, err = plot.gnuplot(script)
  if not ok then return nil, err end
  return png
end

local function header(png, opts, w, h)
  mio.mkdir(mio.dirname(png))
  return table.concat({
    ("set terminal pngcairo size %d,%d enhanced font 'sans,10'"):format(opts.width or w, opts.height or h),
    "set output " .. q(png),
    "set datafile separator ','",
    "set key outside right",
    "set grid",
    opts.title and ("set title " .. q(opts.title)) or "",
    opts.xlabel and ("set xlabel " .. q(opts.xlabel)) or "",
    opts.ylabel and ("set ylabel " .. q(opts.ylabel)) or "",
    opts.extra or "",
  }, "\n") .. "\n"
end

--- Line plot of table columns against the first column.
-- opts: table (path of a table: maghop's and MuMax3's table.txt, such as
-- every example's tables and film:run's `table`, an OOMMF ODT file or a CSV
-- with a header line; `csv` is the older name of the same option), png,
-- columns (list of column names, without units), title, xlabel, ylabel,
-- points (bool), extra (gnuplot lines). Columns may also be named
-- "name (unit)" for tables with units. Size default 900 x 540 pixels.
-- Takes the common options too (module description).
-- @tparam table opts
-- @treturn string the PNG path
-- @return or nil, message (unreadable file, unknown column, gnuplot missing or failed)
-- @raise on a non-table opts, an unknown option key, a non-string png, or
-- neither or both of table and csv
-- @usage mh.plot.lines{table = "out/table.txt", png = "out/mx.png", columns = {"mx", "my"}}
function plot.lines(opts)
  opts = plot_options("plot.lines", opts, {"table", "csv", "columns", "points"})
  if (opts.table == nil) == (opts.csv == nil) then
    error("plot.lines: give the table's path as option 'table' (or its older name 'csv'), once", 2)
  end
  local path = args.type("plot.lines", opts.table and "option 'table'" or "option 'csv'", opts.table or opts.csv, "string")
  local names, _, units = mio.read_table(path)
  if not names then return nil, "cannot read " .. path end
  local index = {}
  for k, name in ipairs(names) do
    index[name] = k
    if units[k] ~= "" then index[name .. " (" .. units[k] .. ")"] = k end
  end
  -- CSV: ','-separated with a header row to skip; tables: whitespace, '#' header
  local first = assert(io.open(path)):read("l") or ""
  local csv = not first:match("^#")
  local parts = {}
  for _, name in ipairs(opts.columns) do
    local col = index[name]
    if not col then return nil, "no column " .. name .. " in " .. path end
    parts[#parts + 1] = ("%s using 1:%d%s with %s lw 2 title %s noenhanced"):format(
      q(path), col, csv and " every ::1" or "", opts.points and "linespoints pt 7 ps 0.5" or "lines", q(name))
  end
  local sep = csv and "" or (first:find("\t") and "set datafile separator tab\n" or "set datafile separator whitespace\n")
  return render(opts.png, header(opts.png, opts, 900, 540) .. sep .. "plot " .. table.concat(parts, ", \\\n  ") .. "\n")
end

-- A gnuplot inline data block $name holding `lines` (strings), one a line.
local function datablock(name, lines)
  return ("$%s << EOD\n%s%sEOD\n"):format(name, table.concat(lines, "\n"), #lines > 0 and "\n" or "")
end

-- A multiplot of the panels in `items`, `cols` per row, each pw x ph pixels
-- unless opts.width/height say otherwise: `preamble` once, then
-- panel(s, item) appends each panel's gnuplot lines to the list s.
local function panel_grid(opts, items, cols, pw, ph, preamble, panel)
  local rows = (#items + cols - 1) // cols
  local s = {header(opts.png, {width = opts.width or pw * cols, height = opts.height or ph * rows}, 0, 0)}
  s[#s + 1] = preamble
  s[#s + 1] = ("set multiplot layout %d,%d title %s\n"):format(rows, cols, q(opts.title or ""))
  for _, item in ipairs(items) do panel(s, item) end
  s[#s + 1] = "unset multiplot\n"
  return render(opts.png, table.concat(s))
end

--- Grid of small bar charts: one panel per series.
-- opts: png, panels = {{title=, labels={...}, values={...}, highlight=index}, ...},
-- cols (panels per row, default 4), ylabel, title. Size default 300 x 260
-- pixels per panel.
-- Takes the common options too (module description).
-- @tparam table opts
-- @treturn string the PNG path
-- @return or nil, message (gnuplot missing or failed)
-- @raise on a non-table opts, an unknown option key, or a non-string png
function plot.bar_panels(opts)
  opts = plot_options("plot.bar_panels", opts, {"panels", "cols"})
  local preamble = "set style fill solid 0.8 border -1\nset boxwidth 0.8\nunset key\n"
    .. "set xtics rotate by 90 right font 'monospace,9' nomirror\nset bmargin 5\n"
  return panel_grid(opts, opts.panels, opts.cols or 4, 300, 260, preamble, function(s, p)
    s[#s + 1] = "set title " .. q(p.title) .. "\n"
    if opts.ylabel then s[#s + 1] = "set ylabel " .. q(opts.ylabel) .. "\n" end
    local rows = {}
    for k, v in ipairs(p.values) do
      rows[k] = ("%d,%s,%.10g,%d"):format(k - 1, cell(p.labels[k]), v, k == p.highlight and 1 or 0)
    end
    s[#s + 1] = datablock("d", rows)
    s[#s + 1] = "plot $d using 1:3:($4 > 0 ? 0xd62728 : 0x1f77b4):xtic(2) with boxes lc rgb variable\n"
  end)
end

--- Row of ±1 images (ink black) with captions, e.g. distorted vs recalled.
-- opts: png, w, h (image size in pixels), images = {{img=, title=}, ...},
-- cols (images per row, default all in one row), title. Size default
-- 150 x 220 pixels per image.
-- Takes the common options too (module description).
-- @tparam table opts
-- @treturn string the PNG path
-- @return or nil, message (gnuplot missing or failed)
-- @raise on a non-table opts, an unknown option key, a non-string png, or
-- w/h not integers in 1..4096
-- @usage mh.plot.images{png = "out/r.png", w = 5, h = 7, images = {{img = x, title = "in"}}}
function plot.images(opts)
  opts = plot_options("plot.images", opts, {"w", "h", "images", "cols"})
  args.opt("plot.images", opts, "w", {integer = true, min = 1, max = 4096})
  args.opt("plot.images", opts, "h", {integer = true, min = 1, max = 4096})
  local preamble = "unset key\nunset colorbox\nunset tics\nunset border\nunset grid\nset size ratio -1\n"
    .. "set palette defined (-1 'white', 1 'black')\nset cbrange [-1:1]\n"
  return panel_grid(opts, opts.images, opts.cols or #opts.images, 150, 220, preamble, function(s, im)
    local rows = {}
    for r = opts.h - 1, 0, -1 do -- gnuplot's y grows upward: top row last
      local row = {}
      for c = 0, opts.w - 1 do row[#row + 1] = ("%.6g"):format(im.img[r * opts.w + c + 1]) end
      rows[#rows + 1] = table.concat(row, " ")
    end
    s[#s + 1] = "set title " .. q(im.title or "") .. "\n" .. datablock("m", rows)
    s[#s + 1] = "set datafile separator whitespace\nplot $m matrix with image\nset datafile separator ','\n"
  end)
end

--- Heat map of a matrix (e.g. a confusion matrix) with values printed.
-- opts: png, matrix (rows of numbers), row_labels, col_labels, title,
-- xlabel, ylabel. Size default 560 x 480 pixels.
-- Takes the common options too (module description).
-- @tparam table opts
-- @treturn string the PNG path
-- @return or nil, message (gnuplot missing or failed)
-- @raise on a non-table opts, an unknown option key, or a non-string png
function plot.heatmap(opts)
  opts = plot_options("plot.heatmap", opts, {"matrix", "row_labels", "col_labels"})
  local m = opts.matrix
  local s = {header(opts.png, {width = opts.width or 560, height = opts.height or 480, title = opts.title,
                               xlabel = opts.xlabel, ylabel = opts.ylabel}, 0, 0)}
  s[#s + 1] = "unset key\nunset grid\nset palette defined (0 'white', 1 '#1f77b4')\n"
  local xt, yt = {}, {}
  for j, l in ipairs(opts.col_labels) do xt[#xt + 1] = ("%s %d"):format(q(l), j - 1) end
  for i, l in ipairs(opts.row_labels) do yt[#yt + 1] = ("%s %d"):format(q(l), i - 1) end
  s[#s + 1] = "set xtics (" .. table.concat(xt, ", ") .. ")\nset ytics (" .. table.concat(yt, ", ") .. ")\n"
  s[#s + 1] = ("set xrange [-0.5:%f]\nset yrange [%f:-0.5]\n"):format(#opts.col_labels - 0.5, #opts.row_labels - 0.5)
  local rows = {}
  for i, row in ipairs(m) do
    for j, v in ipairs(row) do rows[#rows + 1] = ("%d,%d,%.6g"):format(j - 1, i - 1, v) end
  end
  s[#s + 1] = datablock("m", rows) .. "plot $m using 1:2:3 with image, $m using 1:2:(sprintf('%.3g',$3)) with labels\n"
  return render(opts.png, table.concat(s))
end

--- HSL-style colour of a unit vector, as in MuMax3's images: hue = in-plane
-- angle, lightness from mz (white at +z, black at -z).
-- @function wheel_rgb
-- @tparam number mx x component, in [-1, 1]
-- @tparam number my y component, in [-1, 1]
-- @tparam number mz z component, in [-1, 1]
-- @treturn integer red, 0..255
-- @treturn integer green, 0..255
-- @treturn integer blue, 0..255
-- @raise when a component is not a number in [-1, 1] (1e-6 tolerance)
local function wheel_rgb(mx, my, mz)
  for k, v in ipairs {mx, my, mz} do
    args.number("plot.wheel_rgb", ("argument %d"):format(k), v, {min = -1.000001, max = 1.000001})
  end
  local h = (math.atan(my, mx) / (2 * math.pi)) % 1 * 6
  local l = 0.5 + 0.5 * mz
  local c = (1 - math.abs(2 * l - 1))
  local x = c * (1 - math.abs(h % 2 - 1))
  local r, g, b
  if h < 1 then r, g, b = c, x, 0 elseif h < 2 then r, g, b = x, c, 0
  elseif h < 3 then r, g, b = 0, c, x elseif h < 4 then r, g, b = 0, x, c
  elseif h < 5 then r, g, b = x, 0, c else r, g, b = c, 0, x end
  local m = l - c / 2
  return math.floor(255 * (r + m) + 0.5), math.floor(255 * (g + m) + 0.5), math.floor(255 * (b + m) + 0.5)
end
plot.wheel_rgb = wheel_rgb

--- Magnetization map: colour wheel of the in-plane angle (lightness from
-- mz), layer k (default 1) of a 3-component Field, with the colour key (the
-- wheel of in-plane directions) in the lower right corner unless key =
-- false; cells outside `mask` (a 1-component Field) are grey. opts: png, m,
-- mask, k, title, key. Parent folders of png are created.
-- Takes the common options too (module description).
-- @tparam table opts m (Field nx x ny x nz x 3, required), mask, k, key (boolean, default true)
-- @treturn string the PNG path
-- @return or nil, message (gnuplot missing or failed)
-- @raise on a non-table opts, an unknown option key, or a non-string png
-- @usage mh.plot.mwheel{png = "out/m.png", m = film:m()}
function plot.mwheel(opts)
  opts = plot_options("plot.mwheel", opts, {"m", "mask", "k", "key"})
  args.field("plot.mwheel", "option 'm'", opts.m)
  local nx, ny, nz, ncomp = opts.m:shape()
  if ncomp ~= 3 then args.fail("plot.mwheel: option 'm' must have 3 components, got %d", ncomp) end
  if opts.mask ~= nil then args.field("plot.mwheel", "option 'mask'", opts.mask) end
  local k = args.integer("plot.mwheel", "option 'k'", opts.k, 1, nz, 1)
  local s = {header(opts.png, {width = opts.width or math.min(1200, math.max(420, 4 * nx + 120)),
    height = opts.height or math.min(1200, math.max(320, math.floor(4 * ny * (opts.width and 1 or 1)) + 80)),
    title = opts.title}, 0, 0)}
  s[#s + 1] = "unset key\nunset grid\nunset colorbox\nunset tics\nset size ratio -1\n"
  s[#s + 1] = ("set xrange [0.5:%d.5]\nset yrange [0.5:%d.5]\n"):format(nx, ny)
  local rows = {}
  for j = 1, ny do
    for i = 1, nx do
      local r, g, b = 200, 200, 200
      if not opts.mask or opts.mask:get(i, j, k) > 0 then
        r, g, b = wheel_rgb(opts.m:get(i, j, k))
      end
      rows[#rows + 1] = ("%d %d %d %d %d"):format(i, j, r, g, b)
    end
  end
  s[#s + 1] = "set datafile separator whitespace\n" .. datablock("m", rows)
  if opts.key == false then
    s[#s + 1] = "plot $m using 1:2:3:4:5 with rgbimage\n"
  else
    -- the colour key: the wheel of in-plane directions (mz = 0) as an inset
    -- in the lower right corner, +x to the right, +y up
    local wheel, R = {}, 20
    for j = -R, R do
      for i = -R, R do
        local r, g, b = 255, 255, 255
        local rr = math.sqrt(i * i + j * j) / R
        if rr <= 1 then r, g, b = wheel_rgb(i / R, j / R, 0) end
        wheel[#wheel + 1] = ("%d %d %d %d %d"):format(i, j, r, g, b)
      end
    end
    s[#s + 1] = datablock("wheel", wheel)
    s[#s + 1] = "set multiplot\nplot $m using 1:2:3:4:5 with rgbimage\n"
    s[#s + 1] = ("unset title\nset origin 0.80,0.02\nset size ratio -1 0.18,0.18\n"
      .. "set xrange [-%d.5:%d.5]\nset yrange [-%d.5:%d.5]\n"
      .. "set label 1 '+x' at %d,0 left font ',8'\nset label 2 '+y' at 0,%d center font ',8'\n"
      .. "plot $wheel using 1:2:3:4:5 with rgbimage\nunset multiplot\n"):format(R, R, R, R, R + 2, R + 8)
  end
  return render(opts.png, table.concat(s))
end

return plot
