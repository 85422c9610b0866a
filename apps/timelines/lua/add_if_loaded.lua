-- Add ARGV[1] to the set KEYS[1] only if the set exists (was loaded whole).
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('SADD', KEYS[1], ARGV[1]) end
return 0
