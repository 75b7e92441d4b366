// Layered layout for the service map (a small Sugiyama): break cycles by dropping back edges
// found by DFS, put every node one layer right of its deepest caller, order each layer by the
// mean position of its neighbours (a few sweeps), then assign coordinates. Deterministic.
export interface GraphEdge {
  from: string;
  to: string;
}

export interface PlacedNode {
  id: string;
  layer: number;
  order: number;
  x: number;
  y: number;
}

export interface Layout {
  nodes: Map<string, PlacedNode>;
  width: number;
  height: number;
  layers: number;
}

export function layeredLayout(
  ids: string[],
  edges: GraphEdge[],
  opts = { layerGap: 220, rowGap: 70, margin: 20, nodeWidth: 160, nodeHeight: 40 },
): Layout {
  const nodes = [...new Set(ids)].sort();
  const out = new Map<string, string[]>();
  const inc = new Map<string, string[]>();
  for (const n of nodes) {
    out.set(n, []);
    inc.set(n, []);
  }
  // Drop self-loops and back edges (iterative DFS colouring).
  const color = new Map<string, number>();
  const kept: GraphEdge[] = [];
  const adj = new Map<string, string[]>();
  for (const n of nodes) adj.set(n, []);
  for (const e of edges) if (e.from !== e.to && adj.has(e.from) && adj.has(e.to)) adj.get(e.from)!.push(e.to);
  for (const n of nodes) adj.get(n)!.sort();
  for (const start of nodes) {
    if (color.get(start)) continue;
    const stack: [string, number][] = [[start, 0]];
    color.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const next = adj.get(top[0])![top[1]++];
      if (next === undefined) {
        color.set(top[0], 2);
        stack.pop();
        continue;
      }
      const c = color.get(next) ?? 0;
      if (c === 1) continue; // back edge: ignored for layering
      kept.push({ from: top[0], to: next });
      if (c === 0) {
        color.set(next, 1);
        stack.push([next, 0]);
      }
    }
  }
  for (const e of kept) {
    out.get(e.from)!.push(e.to);
    inc.get(e.to)!.push(e.from);
  }
  // Longest-path layering in topological order (Kahn).
  const layer = new Map<string, number>();
  const indeg = new Map(nodes.map((n) => [n, inc.get(n)!.length]));
  const queue = nodes.filter((n) => indeg.get(n) === 0);
  for (const n of queue) layer.set(n, 0);
  for (let qi = 0; qi < queue.length; qi++) {
    const n = queue[qi];
    for (const m of out.get(n)!) {
      layer.set(m, Math.max(layer.get(m) ?? 0, layer.get(n)! + 1));
      indeg.set(m, indeg.get(m)! - 1);
      if (indeg.get(m) === 0) queue.push(m);
    }
  }
  const layerCount = nodes.length ? Math.max(...nodes.map((n) => layer.get(n) ?? 0)) + 1 : 0;
  const layers: string[][] = Array.from({ length: layerCount }, () => []);
  for (const n of nodes) layers[layer.get(n) ?? 0].push(n);
  const pos = new Map<string, number>();
  const renumber = () => layers.forEach((l) => l.forEach((n, i) => pos.set(n, i)));
  renumber();
  const bary = (n: string, nbrs: string[]) =>
    nbrs.length ? nbrs.reduce((s, m) => s + pos.get(m)!, 0) / nbrs.length : pos.get(n)!;
  for (let sweep = 0; sweep < 4; sweep++) {
    const down = sweep % 2 === 0;
    const range = down ? layers.slice(1) : layers.slice(0, -1).reverse();
    for (const l of range) {
      const b = new Map(l.map((n) => [n, bary(n, down ? inc.get(n)! : out.get(n)!)]));
      l.sort((x, y) => b.get(x)! - b.get(y)! || x.localeCompare(y));
      l.forEach((n, i) => pos.set(n, i));
    }
  }
  const tallest = Math.max(0, ...layers.map((l) => l.length));
  const placed = new Map<string, PlacedNode>();
  layers.forEach((l, li) => {
    const offset = ((tallest - l.length) * opts.rowGap) / 2;
    l.forEach((n, i) =>
      placed.set(n, {
        id: n,
        layer: li,
        order: i,
        x: opts.margin + li * opts.layerGap,
        y: opts.margin + offset + i * opts.rowGap,
      }),
    );
  });
  return {
    nodes: placed,
    width: opts.margin * 2 + Math.max(0, layerCount - 1) * opts.layerGap + opts.nodeWidth,
    height: opts.margin * 2 + Math.max(0, tallest - 1) * opts.rowGap + opts.nodeHeight,
    layers: layerCount,
  };
}

// Moves labels down until no two overlap (labels of edges that leave one column tend to meet
// halfway); each keeps its x, so it stays beside its own edge.
export function placeLabels(
  wanted: { x: number; y: number; width: number }[],
  lineHeight = 14,
): { x: number; y: number }[] {
  const placed: { x: number; y: number; width: number }[] = [];
  return wanted.map((w) => {
    let y = w.y;
    for (let moved = true; moved; ) {
      moved = false;
      for (const p of placed) {
        if (Math.abs(p.x - w.x) < (p.width + w.width) / 2 && Math.abs(p.y - y) < lineHeight) {
          y = p.y + lineHeight;
          moved = true;
        }
      }
    }
    placed.push({ x: w.x, y, width: w.width });
    return { x: w.x, y };
  });
}
