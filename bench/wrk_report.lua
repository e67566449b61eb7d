-- wrk script shared by every benchmark cell.
--
-- Usage: wrk ... -s bench/wrk_report.lua URL [-- METHOD BODY]
-- With METHOD and BODY the script sends that request (JSON body); without
-- them wrk sends its default GET. Every response whose status is not 2xx is
-- counted, because wrk's own "status errors" leave out 3xx, and a redirect
-- (for example a missing trailing slash) must invalidate a run too.
-- done() prints one line starting with "WRK_JSON " that bench/load.py parses.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   non_2xx = 0
   if args[1] ~= nil then
      wrk.method = args[1]
      wrk.body = args[2]
      wrk.headers["Content-Type"] = "application/json"
   end
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non_2xx = non_2xx + 1
   end
end

local function count_non_2xx()
   local total = 0
   for _, thread in ipairs(threads) do
      total = total + thread:get("non_2xx")
   end
   return total
end

function done(summary, latency, requests)
   local errors = summary.errors
   -- Latency values from wrk are in microseconds; duration too.
   local line = string.format(
      '{"requests": %d, "duration_us": %d, "non_2xx": %d, '
         .. '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, '
         .. '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p99": %d, "max": %d}}',
      summary.requests, summary.duration, count_non_2xx(),
      errors.connect, errors.read, errors.write, errors.timeout,
      latency.mean, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max)
   io.write("WRK_JSON " .. line .. "\n")
end
