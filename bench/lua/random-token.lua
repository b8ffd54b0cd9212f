-- Each request presents a random one of the token values listed in the file given after `--`. Every request is
-- formatted once, in init: per request wrk only picks one, so the load generator stays cheaper than the server.
local requests = {}

function init(args)
  local path = args[2] or "/fmerest/v3/info"
  for line in io.lines(args[1]) do
    requests[#requests + 1] = wrk.format("GET", path, { ["Authorization"] = "fmetoken token=" .. line })
  end
  math.randomseed(os.time() + tonumber(string.sub(tostring({}), 8), 16) % 100000)
end

function request()
  return requests[math.random(#requests)]
end
