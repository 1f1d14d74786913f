/**
 * The pacer's slots in Redis, so every replica writing for one installation
 * keeps to the same GitHub pace. One Lua script reserves a slot atomically
 * (Redis runs scripts one at a time), with the rule of `nextSlot` in
 * pacer.ts: a sorted set of the last hour's slots per key, a pause key for
 * `retry-after`. Keys expire on their own an hour after their last slot.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { PaceLimits, PaceStore, Reservation } from './pacer.ts';

const RESERVE = `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 3600000)
local count = redis.call('ZCARD', KEYS[1])
local perHour = tonumber(ARGV[4])
if count >= perHour then
  local oldest = redis.call('ZRANGE', KEYS[1], count - perHour, count - perHour, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + 3600000}
end
local at = now
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > at then at = paused end
if count > 0 then
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  local gap = tonumber(last[2]) + tonumber(ARGV[2])
  if gap > at then at = gap end
end
local perMinute = tonumber(ARGV[3])
if count >= perMinute then
  local minuteAgo = redis.call('ZRANGE', KEYS[1], count - perMinute, count - perMinute, 'WITHSCORES')
  local t = tonumber(minuteAgo[2]) + 60000
  if t > at then at = t end
end
redis.call('ZADD', KEYS[1], at, ARGV[5])
redis.call('PEXPIRE', KEYS[1], at - now + 3660000)
return {1, at}
`;

const PAUSE = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local untilMs = tonumber(ARGV[1])
if untilMs > current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', 7200000)
end
return 1
`;

export class RedisPaceStore implements PaceStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix = 'threatloop:pace') {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async reserve(key: string, nowMs: number, limits: PaceLimits): Promise<Reservation> {
    const [ok, at] = (await this.#redis.eval(
      RESERVE,
      2,
      this.#slotsKey(key),
      this.#pauseKey(key),
      nowMs,
      limits.minIntervalMs,
      limits.perMinute,
      limits.perHour,
      randomUUID(),
    )) as [number, number];
    return ok === 1 ? { at: Number(at) } : { exhaustedUntil: Number(at) };
  }

  async recent(key: string, nowMs: number): Promise<number[]> {
    const flat = await this.#redis.zrangebyscore(this.#slotsKey(key), nowMs - 3_600_000 + 1, '+inf', 'WITHSCORES');
    const slots: number[] = [];
    for (let i = 1; i < flat.length; i += 2) slots.push(Number(flat[i]));
    return slots;
  }

  async pauseUntil(key: string, untilMs: number): Promise<void> {
    // Kept two hours: GitHub's pauses (retry-after, the hourly reset) are shorter, and a stale value is in the past anyway.
    await this.#redis.eval(PAUSE, 1, this.#pauseKey(key), untilMs);
  }

  #slotsKey(key: string): string {
    return `${this.#prefix}:${key}:slots`;
  }

  #pauseKey(key: string): string {
    return `${this.#prefix}:${key}:paused`;
  }
}
