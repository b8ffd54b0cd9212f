-- wrk script of npm run soak: each request takes the next of the soak's scenarios in turn, and every
-- response status is counted; done() prints one "status <code> <count>" line per status for soak.ts to read.
-- Arguments (after --): valid token, bad-checksum value, unknown well-formed value, expired token, disabled token.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local valid, badsum, unknown, expired, disabled = args[1], args[2], args[3], args[4], args[5]
  local function fmetoken(value)
    return { ["Authorization"] = "fmetoken token=" .. value }
  end
  requests = {
    wrk.format("GET", "/fmerest/v3/info", fmetoken(valid)),
    wrk.format("GET", "/fmerest/v3/info", fmetoken(badsum)),
    wrk.format("GET", "/fmerest/v3/info", fmetoken(unknown)),
    wrk.format("GET", "/fmerest/v3/info", fmetoken(expired)),
    wrk.format("GET", "/fmerest/v3/info", fmetoken(disabled)),
    wrk.format("GET", "/fmerest/v3/info", {}),
    wrk.format("GET", "/fmerest/v3/tokens?limit=10", fmetoken(valid)),
    wrk.format("GET", "/fmeinfo/version", {}),
  }
  counter = 0
  statuses = {}
end

function request()
  counter = counter + 1
  return requests[(counter - 1) % #requests + 1]
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses")) do
      total[code] = (total[code] or 0) + count
    end
  end
  for code, count in pairs(total) do
    io.write(string.format("status %s %d\n", code, count))
  end
end
