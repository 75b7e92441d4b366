import { describe, expect, it } from 'vitest';
import { layeredLayout } from './graphLayout';

describe('layeredLayout', () => {
  it('puts callees right of their deepest caller', () => {
    const l = layeredLayout(['fe', 'api', 'db', 'cache'], [
      { from: 'fe', to: 'api' },
      { from: 'api', to: 'db' },
      { from: 'fe', to: 'db' },
      { from: 'api', to: 'cache' },
    ]);
    expect(l.nodes.get('fe')!.layer).toBe(0);
    expect(l.nodes.get('api')!.layer).toBe(1);
    expect(l.nodes.get('db')!.layer).toBe(2);
    expect(l.layers).toBe(3);
  });

  it('survives cycles and self-calls and places every node once', () => {
    const l = layeredLayout(['a', 'b', 'c'], [
      { from: 'a', to: 'b' },
      { from: 'b', to: 'c' },
      { from: 'c', to: 'a' },
      { from: 'b', to: 'b' },
    ]);
    expect(l.nodes.size).toBe(3);
    const spots = new Set([...l.nodes.values()].map((n) => `${n.x},${n.y}`));
    expect(spots.size).toBe(3);
  });

  it('is empty for no nodes', () => {
    expect(layeredLayout([], []).nodes.size).toBe(0);
  });
});
