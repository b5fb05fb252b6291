-- plane_async's shared sliding window: one atomic script for every limiter operation.
--
-- KEYS[1]  log    ZSET  stamps of requests the server counted: member -> time (s)
-- KEYS[2]  res    ZSET  reservations in flight: token -> lease expiry (s)
-- KEYS[3]  state  HASH  pause (until), probe (until), ln/lp (learned limit), seq, since
-- KEYS[4]  wake   pub/sub channel: a release freed a slot at once, or the limit grew
-- KEYS[5]  held   HASH  token -> "owner|s|sent at|timeout" (its request may have gone) or
--                       "owner|t|moment|timeout" (a ticket: not sent before its moment)
-- KEYS[6]  live   ZSET  owner -> until when it is known alive (each event loop renews its own)
--
-- ARGV[1]  op: acquire | send (a ticket's request goes) | release (with the response, if
--          any) | beat (an owner is alive) | quota
-- ARGV[2]  learn: 1 when the limit is learned from the server's headers
-- ARGV[3]  number of explicit windows k, then k triples (requests, span, period) in ARGV[4..]
-- ARGV[4+3k..]  the op's own arguments (see each op)
--
-- Every time is the Redis server's TIME, so the machines' clocks do not matter.

if redis.replicate_commands then
  redis.replicate_commands()
end

local log, res, state, wake, held, live = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local op = ARGV[1]
local learn = ARGV[2] == '1'
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000

local function num(x)
  return string.format('%.6f', x)
end

local windows = {}
local k = tonumber(ARGV[3])
for i = 0, k - 1 do
  windows[#windows + 1] = {tonumber(ARGV[4 + 3 * i]), tonumber(ARGV[5 + 3 * i]),
    tonumber(ARGV[6 + 3 * i])}
end
local rest = 4 + 3 * k

local st = redis.call('HMGET', state, 'pause', 'probe', 'ln', 'lp')
local pause = tonumber(st[1]) or 0
local probe = tonumber(st[2]) or 0
local ln, lp = tonumber(st[3]), tonumber(st[4])
local learned_at = #windows + 1
if learn and ln then
  -- period plus the default margin: 1% of it, at most 0.1 s
  windows[learned_at] = {ln, lp + math.min(lp * 0.01, 0.1), lp}
end

local longest = 0
for _, w in ipairs(windows) do
  longest = math.max(longest, w[2])
end

-- Reservations and liveness ------------------------------------------------------------
-- A token is "owner:random"; the owner (one per process and event loop) renews itself with
-- every call and, while it holds reservations, with a beat every quarter of ALIVE_FOR. When
-- it stops (killed, its machine lost) or a lease runs out, settle() ends its reservations:
-- a ticket whose request was never sent just goes, so the slot is free again at once; one
-- that may have been sent becomes a stamp as late as the server could have counted it (sent
-- plus timeout, what the release of an abandoned request stamps).

local ALIVE_FOR = 1.0

-- make `key` live at least `seconds` more (never shorten what another write needs)
local function keep(key, seconds)
  local ms = math.ceil(seconds * 1000)
  local ttl = redis.call('PTTL', key)
  if ttl ~= -2 and ttl < ms then
    redis.call('PEXPIRE', key, ms)
  end
end

local function owner_of(token)
  return string.match(token, '^(.-):') or ''
end

local function renew(owner)
  if owner ~= '' then
    redis.call('ZADD', live, num(now + ALIVE_FOR), owner)
    -- the latest renewal always ends last: nothing in `live` matters a second after it
    redis.call('PEXPIRE', live, math.ceil((ALIVE_FOR + 1) * 1000))
  end
end

-- end a reservation nobody will release
local function settle_one(token)
  local record = redis.call('HGET', held, token)
  redis.call('ZREM', res, token)
  if not record then
    return  -- already ended, or taken by an older client: its lease was all it had
  end
  redis.call('HDEL', held, token)
  local kind, at, timeout = string.match(record, '|(%a)|([^|]*)|([^|]*)$')
  if kind == 's' then
    local stamp = tonumber(at) + tonumber(timeout)
    redis.call('ZADD', log, num(stamp), token)
    keep(log, math.max(longest, 1) + math.max(stamp - now, 0) + 1)
  end
end

-- the reservations whose lease ran out, and those of owners that stopped renewing; true if
-- any ended (what a waiter can get changed: a slot freed, or a known moment it frees)
local function settle()
  local ended = redis.call('ZRANGEBYSCORE', res, '-inf', num(now))
  local dead = redis.call('ZRANGEBYSCORE', live, '-inf', num(now))
  if #dead > 0 then
    local gone = {}
    for _, owner in ipairs(dead) do
      gone[owner] = true
      redis.call('ZREM', live, owner)
    end
    local records = redis.call('HGETALL', held)
    for i = 1, #records, 2 do
      if gone[owner_of(records[i])] then
        ended[#ended + 1] = records[i]
      end
    end
  end
  for _, token in ipairs(ended) do
    settle_one(token)
  end
  return #ended > 0
end

local settled = settle()
if settled then
  redis.call('PUBLISH', wake, '1')
end

-- ---------------------------------------------------------------------------------------

if longest > 0 then
  redis.call('ZREMRANGEBYSCORE', log, '-inf', num(now - longest))
end
local in_flight = redis.call('ZCARD', res)

-- Expiry: every key this script writes expires once nothing in it can matter any more (the
-- longest window after its newest stamp, a pause, a probe, a lease), so a key never outlives
-- its use: a stale state hash once froze a whole fleet until someone deleted it by hand.
local function expire_all()
  local keep = 1
  for _, w in ipairs(windows) do
    keep = math.max(keep, w[2])
  end
  local newest = redis.call('ZRANGE', log, -1, -1, 'WITHSCORES')
  if newest[2] then
    keep = math.max(keep, tonumber(newest[2]) + keep - now)
  end
  local lease = redis.call('ZRANGE', res, -1, -1, 'WITHSCORES')
  if lease[2] then
    keep = math.max(keep, tonumber(lease[2]) - now)
  end
  local timers = redis.call('HMGET', state, 'pause', 'probe')
  keep = math.max(keep, (tonumber(timers[1]) or 0) - now, (tonumber(timers[2]) or 0) - now)
  local ms = math.ceil((keep + 1) * 1000)
  for _, key in ipairs({log, res, state}) do
    redis.call('PEXPIRE', key, ms)
  end
end

-- free slots in a window, and seconds until the next frees (-1: only a release frees one)
--
-- A ticket takes the moment the next stamp in line leaves, so stamps must leave in the order
-- they were made. A stamp dated ahead (a request that may be counted as late as its timeout)
-- leaves after stamps made later: until its time comes it holds its slot as a request in
-- flight does, and no ticket is given for its moment (one would hold a slot unused for
-- seconds, and the stamps made meanwhile would leave unclaimed).
local function room(w)
  local counted = redis.call('ZCOUNT', log, '(' .. num(now - w[2]), num(now))
  local ahead = redis.call('ZCOUNT', log, '(' .. num(now), '+inf')
  local used = counted + ahead + in_flight
  if used < w[1] then
    return w[1] - used, 0
  end
  local excess = used - w[1] + 1
  if excess > counted then
    return 0, -1
  end
  local nth = redis.call('ZRANGEBYSCORE', log, '(' .. num(now - w[2]), num(now), 'WITHSCORES',
    'LIMIT', excess - 1, 1)
  return 0, tonumber(nth[2]) + w[2] - now
end

-- seconds until a reservation may end unreleased: its lease, or its owner's liveness
local function next_lease()
  local first = redis.call('ZRANGE', res, 0, 0, 'WITHSCORES')
  if first[2] then
    local owner = redis.call('ZRANGE', live, 0, 0, 'WITHSCORES')
    local at = tonumber(first[2])
    if owner[2] then
      at = math.min(at, tonumber(owner[2]))
    end
    return at - now
  end
  return -1
end

-- the snapshot quota() shows: limit, period, remaining, next_in, paused_for, in_flight
local function snapshot()
  if #windows == 0 then
    local free = in_flight == 0 and 1 or 0
    return {1, '60', free, free == 1 and '0' or num(next_lease()), num(math.max(pause - now, 0)),
      in_flight}
  end
  local best
  for _, w in ipairs(windows) do
    local free, wait = room(w)
    if wait < 0 then
      wait = w[2]
    end
    if best == nil or free < best[3] or (free == best[3] and wait > best[4]) then
      best = {w[1], w[3], free, wait}
    end
  end
  return {best[1], num(best[2]), best[3], num(best[4]), num(math.max(pause - now, 0)), in_flight}
end

-- A response: status, remaining (-1: absent), pause (s, after a 429), the limit its headers
-- prove (0, 0 when none). Runs while the request still holds its reservation.
local function observe(status, remaining, pause_for, seen_n, seen_p)
  if status == 429 then
    local until_ = math.max(pause, now + pause_for)
    local longest_period = 60
    if #windows > 0 then
      longest_period = 0
      for _, w in ipairs(windows) do
        longest_period = math.max(longest_period, w[2])
      end
    end
    redis.call('HSET', state, 'pause', num(until_), 'probe', num(until_ + longest_period))
    pause = until_
    if learn and ln and not redis.call('HGET', state, 'provisional') then
      -- (Plane's default, assumed for a server without rate headers, is never shrunk:
      -- nothing would raise it again; the pause and the probing do the work)
      local ours = redis.call('ZCOUNT', log, '(' .. num(now - lp), '+inf') + in_flight - 1
      if ours < ln then
        redis.call('HSET', state, 'ln', math.max(ours, 1))
      end
    end
    return
  end
  if learn then
    if remaining < 0 then
      if not ln then
        redis.call('HSET', state, 'ln', 60, 'lp', 60, 'provisional', 1)
      end
    elseif not ln or redis.call('HGET', state, 'provisional') then
      redis.call('HSET', state, 'ln', seen_n, 'lp', seen_p)
      redis.call('HDEL', state, 'provisional')
    elseif seen_p ~= lp then
      -- the window follows the latest response: periods are DRF's exact ones (merge_learned)
      redis.call('HSET', state, 'ln', seen_n, 'lp', seen_p)
    elseif seen_n > ln then
      redis.call('HSET', state, 'ln', seen_n)
    end
    st = redis.call('HMGET', state, 'ln', 'lp')
    ln, lp = tonumber(st[1]), tonumber(st[2])
    windows[learned_at] = {ln, lp + math.min(lp * 0.01, 0.1), lp}
  end
  if remaining >= 0 and #windows > 0 then
    if now >= pause then
      redis.call('HSET', state, 'probe', 0)
    end
    local own_free
    for _, w in ipairs(windows) do
      local free = room(w)
      own_free = own_free and math.min(own_free, free) or free
    end
    if remaining < own_free then
      -- someone else uses the key: their requests become stamps made now
      local seq = redis.call('HINCRBY', state, 'seq', own_free - remaining)
      for i = 1, own_free - remaining do
        redis.call('ZADD', log, num(now), 'phantom:' .. (seq - i))
      end
    end
  end
end


if op == 'acquire' then
  -- ARGV: token, lease (s), seen (1: this process has seen the key's state before),
  -- timeout (s). Returns {1, now, delay, snapshot...} when admitted: at once (delay 0), or
  -- with a ticket for the moment the window frees (the caller sleeps `delay` seconds, then
  -- confirms it with `send`; the ticket counts as in flight from now, so the next caller gets
  -- the moment after). Else {0, wait, on_release, snapshot...}: wait the seconds given, or
  -- less (on_release = 1) if a release that frees a slot at once is published on the channel.
  local token, lease, timeout = ARGV[rest], tonumber(ARGV[rest + 1]), ARGV[rest + 3]
  renew(owner_of(token))
  -- Restart pacing. ARGV[rest + 2] is 1 when this process has seen the key's state before:
  -- if it is gone now (Redis restarted or was flushed, or the key idled out), the requests
  -- in flight elsewhere are counted nowhere, so go one at a time, as after a 429, until a
  -- response's Remaining resyncs the count or a whole window has passed.
  if ARGV[rest + 2] == '1' and redis.call('EXISTS', state) == 0 then
    probe = now + longest
    redis.call('HSET', state, 'probe', num(probe))
    expire_all()
  end
  if pause > now then
    return {0, num(pause - now), 0, unpack(snapshot())}
  end
  local serial = #windows == 0 or now < probe
  if serial and in_flight > 0 then
    -- one at a time (learning, or probing after a 429): the release wakes the queue
    return {0, num(math.max(next_lease(), 0)), 1, unpack(snapshot())}
  end
  local wait = 0
  for _, w in ipairs(windows) do
    local _, until_free = room(w)
    if until_free < 0 then
      -- only requests in flight (or ticketed) hold the window: each frees a full span after
      -- its response at the earliest, or at once if the server did not count it
      return {0, num(math.min(w[2], math.max(next_lease(), 0))), 1, unpack(snapshot())}
    end
    wait = math.max(wait, until_free)
  end
  if serial and wait > 0 then
    return {0, num(wait), 0, unpack(snapshot())}
  end
  if wait > 0 then
    -- a ticket: nothing is sent before its moment, and its owner confirms it then (`send`);
    -- unconfirmed, it lapses ALIVE_FOR after its moment
    redis.call('ZADD', res, num(now + wait + ALIVE_FOR), token)
    redis.call('HSET', held, token, owner_of(token) .. '|t|' .. num(now + wait) .. '|' .. timeout)
  else
    redis.call('ZADD', res, num(now + lease), token)
    redis.call('HSET', held, token, owner_of(token) .. '|s|' .. num(now) .. '|' .. timeout)
  end
  keep(held, wait + math.max(lease, ALIVE_FOR) + 1)
  in_flight = in_flight + 1
  redis.call('HSETNX', state, 'since', num(now))  -- the state exists while the key is used
  expire_all()
  return {1, num(now), num(wait), unpack(snapshot())}
end

if op == 'send' then
  -- ARGV: token, lease (s), timeout (s). A ticket's moment has come: its request goes now
  -- and holds the slot as a request in flight. Returns {1, now}; {0} if the ticket is gone
  -- (it lapsed, or its owner was taken for dead): nothing may be sent on it, ask again.
  local token, lease, timeout = ARGV[rest], tonumber(ARGV[rest + 1]), ARGV[rest + 2]
  renew(owner_of(token))
  if not redis.call('ZSCORE', res, token) or not redis.call('HEXISTS', held, token) then
    return {0}
  end
  redis.call('ZADD', res, num(now + lease), token)
  redis.call('HSET', held, token, owner_of(token) .. '|s|' .. num(now) .. '|' .. timeout)
  keep(held, lease + 1)
  expire_all()
  return {1, num(now)}
end

if op == 'beat' then
  -- ARGV: owner. It is alive, and holds reservations.
  renew(ARGV[rest])
  return {settled and 1 or 0}
end

if op == 'release' then
  -- ARGV: token, stamp (0: not counted by the server; 1: counted at time `at`, when its
  -- response came; 2: abandoned, counted as late as `at`), `at` (s, Redis clock), then the
  -- response (status 0: none) as observe() takes it
  local token, mode, at = ARGV[rest], ARGV[rest + 1], tonumber(ARGV[rest + 2])
  local stamp = mode ~= '0'
  local status = tonumber(ARGV[rest + 3])
  renew(owner_of(token))
  -- Waiters blocked by requests in flight sleep a whole span; wake them only when this
  -- release frees a slot at once: not counted, one at a time, or a larger learned limit.
  local wake_them = not stamp or #windows == 0 or now < probe or status == 429
  local learned_before = ln
  if status > 0 then
    observe(status, tonumber(ARGV[rest + 4]), tonumber(ARGV[rest + 5]), tonumber(ARGV[rest + 6]),
      tonumber(ARGV[rest + 7]))
  end
  redis.call('ZREM', res, token)
  redis.call('HDEL', held, token)
  local stamped_at = now
  if mode == '1' then
    stamped_at = math.min(at, now)
  elseif mode == '2' then
    stamped_at = math.max(at, now)
  end
  if stamp then
    -- (replaces the stamp settle() gave it if its owner was taken for dead meanwhile)
    redis.call('ZADD', log, num(stamped_at), token)
  else
    redis.call('ZREM', log, token)
  end
  expire_all()
  if wake_them or (learn and ln ~= learned_before) then
    redis.call('PUBLISH', wake, '1')
  end
  in_flight = redis.call('ZCARD', res)
  return snapshot()
end

if op == 'quota' then
  return snapshot()
end

return redis.error_reply('unknown op ' .. tostring(op))
