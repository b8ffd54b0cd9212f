-- Presents the token values in the file given after `--` in order, starting after the first N (the second
-- argument): run again from where the last run got to until each has been presented once. Requests are
-- formatted once, in init, so the load generator stays cheaper than the server.
local requests = {}
local sent = 0

function init(args)
  for line in io.lines(args[1]) do
    requests[#requests + 1] = wrk.format("GET", "/fmerest/v3/info", { ["Authorization"] = "fmetoken token=" .. line })
  end
  sent = tonumber(args[2]) or 0
end

function request()
  sent = sent % #requests + 1
  return requests[sent]
end
