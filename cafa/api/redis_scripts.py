"""The Lua scripts of the shared cache's calls on Redis (cafa/api/shared_cache.py): each runs atomically,
in one round trip. Keys are passed made (`make_key`), as Django names them."""

import hashlib

# KEYS: [the rate log] [views, seen, visitors] keys read; ARGV: limit (-1: no rate limit), window, now, log
# entry, seen seconds, 1 when a visit is to be counted. Returns {false, full, the values read...} when
# admitted (full: false, or the time of the logged request whose leaving frees a slot in the log this
# request filled), else {the time of the oldest logged request}.
READ = """
local first, full = 1, false
local limit = tonumber(ARGV[1])
if limit >= 0 then
  first = 2
  local now, window = tonumber(ARGV[3]), tonumber(ARGV[2])
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
  local count = redis.call('ZCARD', KEYS[1])
  if count >= limit then
    return {redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2] or ARGV[3]}
  end
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  if count + 1 >= limit then
    full = redis.call('ZRANGE', KEYS[1], count + 1 - limit, count + 1 - limit, 'WITHSCORES')[2]
  end
end
if ARGV[6] == '1' then
  redis.call('INCR', KEYS[first])
  if redis.call('SET', KEYS[first + 1], '1', 'NX', 'EX', ARGV[5]) then redis.call('INCR', KEYS[first + 2]) end
  first = first + 3
end
if first > #KEYS then return {false, full} end
local values = redis.call('MGET', unpack(KEYS, first))
table.insert(values, 1, full)
table.insert(values, 1, false)
return values
"""
READ_DIGEST = hashlib.sha1(READ.encode()).hexdigest()  # noqa: S324 - Redis names scripts by SHA-1

# KEYS: each entry's log, then each visit's views, seen and visitors keys. ARGV: the number of entries,
# each entry's limit, window, time and log member, then each visit's seen seconds. Returns, for each entry
# that left its log full, {its index, the time of the logged request whose leaving frees a slot}.
SETTLE = """
local entries, full = tonumber(ARGV[1]), {}
for i = 1, entries do
  local key, at = KEYS[i], 2 + (i - 1) * 4
  local limit, window, now = tonumber(ARGV[at]), tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  redis.call('ZADD', key, now, ARGV[at + 3])
  redis.call('EXPIRE', key, window)
  local count = redis.call('ZCARD', key)
  if count >= limit then
    table.insert(full, i)
    table.insert(full, redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')[2])
  end
end
local seen = 2 + entries * 4
for v = entries + 1, #KEYS, 3 do
  redis.call('INCR', KEYS[v])
  if redis.call('SET', KEYS[v + 1], '1', 'NX', 'EX', ARGV[seen]) then redis.call('INCR', KEYS[v + 2]) end
  seen = seen + 1
end
return full
"""
