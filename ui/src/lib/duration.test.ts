import { describe, expect, it } from 'vitest';
import { formatDuration, niceTicks, parseDuration } from './duration';

describe('durations', () => {
  it('parses Go durations into µs', () => {
    expect(parseDuration('1.5s')).toBe(1_500_000);
    expect(parseDuration('1h30m')).toBe(5_400_000_000);
    expect(parseDuration('250ms')).toBe(250_000);
    expect(parseDuration('10us')).toBe(10);
    expect(parseDuration('2d')).toBe(172_800_000_000);
    expect(parseDuration('fast')).toBeNull();
    expect(parseDuration('10')).toBeNull();
    expect(parseDuration('')).toBeNull();
  });

  it('formats µs for people', () => {
    expect(formatDuration(0.5)).toBe('500ns');
    expect(formatDuration(850)).toBe('850µs');
    expect(formatDuration(1234)).toBe('1.23ms');
    expect(formatDuration(12_345)).toBe('12.3ms');
    expect(formatDuration(1_250_000)).toBe('1.25s');
    expect(formatDuration(125_000_000)).toBe('2m 5s');
    expect(formatDuration(-1500)).toBe('-1.5ms');
  });

  it('picks round ruler ticks', () => {
    expect(niceTicks(100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(1000, 4)).toEqual([0, 500, 1000]);
  });
});
