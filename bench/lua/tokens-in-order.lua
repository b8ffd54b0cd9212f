-- Presents the token values in the file given after `--` in order, starting after the first N (the second
-- argument): run again from where the last run got to until each has been presented once.
local values = {}
local sent = 0

function init(args)
  for line in io.lines(args[1]) do values[#values + 1] = line end
  sent = tonumber(args[2]) or 0
end

function request()
  sent = sent % #values + 1
  return wrk.format("GET", "/fmerest/v3/info", { ["Authorization"] = "fmetoken token=" .. values[sent] })
end
