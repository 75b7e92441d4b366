import { describe, expect, it } from 'vitest';
import { layeredLayout, placeLabels } from './graphLayout';

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

describe('placeLabels', () => {
  it('moves a label that would cover another one down, and leaves separate labels alone', () => {
    const out = placeLabels([
      { x: 268, y: 198, width: 80 },
      { x: 268, y: 201, width: 20 },
      { x: 268, y: 205, width: 40 },
      { x: 600, y: 198, width: 40 },
    ]);
    expect(out[0]).toEqual({ x: 268, y: 198 });
    expect(out[1]).toEqual({ x: 268, y: 212 });
    expect(out[2]).toEqual({ x: 268, y: 226 });
    expect(out[3]).toEqual({ x: 600, y: 198 });
  });
});
