-- Each request presents a random one of the token values listed in the file given after `--`.
local values = {}
local path = "/fmerest/v3/info"

function init(args)
  for line in io.lines(args[1]) do values[#values + 1] = line end
  if args[2] then path = args[2] end
  math.randomseed(os.time() + tonumber(string.sub(tostring({}), 8), 16) % 100000)
end

function request()
  local value = values[math.random(#values)]
  return wrk.format("GET", path, { ["Authorization"] = "fmetoken token=" .. value })
end
