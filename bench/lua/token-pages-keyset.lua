-- Pages of GET /fmerest/v3/tokens?limit=50&after=CURSOR, each at a random one of the cursors in the file given
-- after `--` (collected by walking the list once), as a person jumping through many tokens would.
local authorization
local cursors = {}
local size = 50

local function encode(text)
  return (string.gsub(text, "[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  authorization = "fmetoken token=" .. args[1]
  for line in io.lines(args[2]) do cursors[#cursors + 1] = encode(line) end
  math.randomseed(os.time() + tonumber(string.sub(tostring({}), 8), 16) % 100000)
end

function request()
  local cursor = cursors[math.random(#cursors)]
  return wrk.format("GET", "/fmerest/v3/tokens?limit=" .. size .. "&after=" .. cursor, { ["Authorization"] = authorization })
end
