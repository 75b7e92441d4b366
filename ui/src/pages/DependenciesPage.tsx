// Service map from /api/dependencies: services as nodes in a layered layout (callers left,
// callees right), edges labelled with call counts; when the server reports errorCount, edges
// and services with failed calls are red and labelled with their error share
// (lib/serviceMap.ts); a table of the same edges below.
import { useMemo, useState } from 'react';
import { fetchDependencies } from '../api/client';
import { Empty, ErrorBox, Loading } from '../components/States';
import { useAsync } from '../hooks';
import { serviceColor } from '../lib/colors';
import { parseDuration } from '../lib/duration';
import { layeredLayout, placeLabels } from '../lib/graphLayout';
import { formatErrorShare, serviceMapStats } from '../lib/serviceMap';
import { LOOKBACKS } from '../lib/searchParams';
import { navigate, type Loc } from '../router';

const NODE_W = 170;
const NODE_H = 40;
const LABEL_CHAR_W = 6.5; // average advance of an 11px label character

export function DependenciesPage({ loc }: { loc: Loc }) {
  const lookback = loc.params.get('lookback') ?? '24h';
  const lbUs = parseDuration(lookback) ?? 86_400_000_000;
  const deps = useAsync((s) => fetchDependencies(Date.now(), Math.round(lbUs / 1000), s), [lbUs]);
  const [hover, setHover] = useState<string | null>(null);
  const graph = useMemo(() => {
    const list = deps.data ?? [];
    const ids = new Set<string>();
    for (const d of list) {
      ids.add(d.parent);
      ids.add(d.child);
    }
    const layout = layeredLayout([...ids], list.map((d) => ({ from: d.parent, to: d.child })), {
      layerGap: 260,
      rowGap: 74,
      margin: 24,
      nodeWidth: NODE_W,
      nodeHeight: NODE_H,
    });
    const stats = serviceMapStats(list);
    return { list, layout, stats, maxCalls: stats.maxCalls };
  }, [deps.data]);

  let body;
  if (deps.status === 'error') body = <ErrorBox error={deps.error} onRetry={deps.reload} />;
  else if (deps.status !== 'done') body = <Loading what="the service map" />;
  else if (!graph.list.length)
    body = <Empty title="No dependencies yet">Calls between services appear here once traces with client and server spans arrive.</Empty>;
  else {
    const { layout, list, maxCalls, stats } = graph;
    const geometry = list.map((d) =>
      edgeGeometry(layout.nodes.get(d.parent)!, layout.nodes.get(d.child)!, d.parent === d.child),
    );
    const labelText = list.map((d, i) => {
      const errShare = stats.edges[i].errorShare;
      return `${d.callCount.toLocaleString()}${errShare ? ` · ${formatErrorShare(errShare)} err` : ''}`;
    });
    const labels = placeLabels(geometry.map((g, i) => ({ x: g.lx, y: g.ly, width: labelText[i].length * LABEL_CHAR_W })));
    body = (
      <>
        <div className="map panel">
          <svg width={layout.width} height={layout.height} role="img" aria-label="Service map">
            <defs>
              <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">
                <path d="M 0 0 L 10 5 L 0 10 z" className="arrowhead" />
              </marker>
            </defs>
            {list.map((d, i) => {
              const g = geometry[i];
              const errShare = stats.edges[i].errorShare;
              const dim = hover && hover !== d.parent && hover !== d.child;
              return (
                <g key={i} className={`edge${dim ? ' dim' : ''}${errShare ? ' has-errors' : ''}`}>
                  <path d={g.path} markerEnd="url(#arrow)" strokeWidth={1.5 + 3 * Math.sqrt(d.callCount / maxCalls)} />
                  <title>{`${d.parent} → ${d.child}: ${d.callCount} calls${d.errorCount !== undefined ? `, ${d.errorCount} errors` : ''}`}</title>
                </g>
              );
            })}
            {/* Labels after every edge, so no edge is drawn across another edge's label. */}
            {list.map((d, i) => {
              const errShare = stats.edges[i].errorShare;
              const dim = hover && hover !== d.parent && hover !== d.child;
              return (
                <g key={`l${i}`} className={`edge${dim ? ' dim' : ''}${errShare ? ' has-errors' : ''}`}>
                  <text x={labels[i].x} y={labels[i].y} textAnchor="middle" className="edge-label">
                    {labelText[i]}
                  </text>
                </g>
              );
            })}
            {[...layout.nodes.values()].map((n) => {
              const st = stats.nodes.get(n.id);
              const errLabel = formatErrorShare(st?.errorShare ?? null);
              return (
              <g
                key={n.id}
                className={`node${hover && hover !== n.id ? ' dim' : ''}${errLabel ? ' has-errors' : ''}`}
                transform={`translate(${n.x},${n.y})`}
                onMouseEnter={() => setHover(n.id)}
                onMouseLeave={() => setHover(null)}
                onClick={() => navigate(`/search?service=${encodeURIComponent(n.id)}&lookback=1h`)}
              >
                <rect width={NODE_W} height={NODE_H} rx={8} />
                <rect width={6} height={NODE_H} rx={3} style={{ fill: serviceColor(n.id) }} />
                <text x={14} y={errLabel ? NODE_H / 2 - 1 : NODE_H / 2 + 5}>
                  {n.id.length > 20 ? `${n.id.slice(0, 19)}…` : n.id}
                </text>
                {errLabel && (
                  <text x={14} y={NODE_H / 2 + 13} className="node-errors">
                    {`${errLabel} of ${st!.callsIn.toLocaleString()} failed`}
                  </text>
                )}
                <title>
                  {st?.errors != null
                    ? `${n.id}: received ${st.callsIn} calls, ${st.errors} failed; made ${st.callsOut}`
                    : n.id}
                </title>
              </g>
              );
            })}
          </svg>
        </div>
        <table className="diff panel" aria-label="Dependencies">
          <thead>
            <tr>
              <th>Caller</th>
              <th>Callee</th>
              <th>Calls</th>
              <th>Errors</th>
            </tr>
          </thead>
          <tbody>
            {[...list]
              .sort((x, y) => y.callCount - x.callCount)
              .map((d, i) => (
                <tr key={i}>
                  <td>{d.parent}</td>
                  <td>{d.child}</td>
                  <td className="num">{d.callCount.toLocaleString()}</td>
                  <td className="num">
                    {d.errorCount === undefined || d.errorCount === null
                      ? '–'
                      : `${d.errorCount} (${((100 * d.errorCount) / Math.max(1, d.callCount)).toFixed(1)}%)`}
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      </>
    );
  }
  return (
    <div className="page-pad deps-page">
      <div className="results-toolbar">
        <h1>Service map</h1>
        <span className="spacer" />
        <label className="inline">
          Lookback
          <select value={lookback} onChange={(e) => navigate(`/dependencies?lookback=${encodeURIComponent(e.target.value)}`)}>
            {LOOKBACKS.filter((l) => l.value !== 'custom').map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {body}
    </div>
  );
}

interface Point {
  x: number;
  y: number;
}

// The curve of an edge from p to c (node top-left corners) and where its label sits.
function edgeGeometry(p: Point, c: Point, selfLoop: boolean): { path: string; lx: number; ly: number } {
  if (selfLoop) {
    return {
      path: `M ${p.x + NODE_W - 20} ${p.y} C ${p.x + NODE_W} ${p.y - 40}, ${p.x + NODE_W + 30} ${p.y}, ${p.x + NODE_W} ${p.y + 12}`,
      lx: p.x + NODE_W + 18,
      ly: p.y - 18,
    };
  }
  const forward = c.x > p.x;
  const x1 = forward ? p.x + NODE_W : p.x + NODE_W / 2;
  const y1 = forward ? p.y + NODE_H / 2 : p.y + NODE_H;
  const x2 = forward ? c.x : c.x + NODE_W / 2;
  const y2 = forward ? c.y + NODE_H / 2 : c.y + NODE_H;
  const mx = (x1 + x2) / 2;
  return {
    path: forward
      ? `M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2} ${y2}`
      : `M ${x1} ${y1} C ${x1} ${y1 + 60}, ${x2} ${y2 + 60}, ${x2} ${y2}`,
    lx: mx,
    ly: forward ? (y1 + y2) / 2 - 6 : Math.max(y1, y2) + 40,
  };
}

