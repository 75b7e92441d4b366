// The selected span: identity, timing, status, typed attributes, resource, events with times
// relative to the trace and the span, links (references) you can follow, and warnings.
// Every value is rendered as text.
import type { KeyValue } from '../api/types';
import { serviceColor } from '../lib/colors';
import { formatDuration, formatTimestamp } from '../lib/duration';
import { tagValue, type SpanNode, type TraceModel } from '../lib/traceModel';
import { tracePath } from '../router';
import { Link } from './Link';

function valueText(kv: KeyValue): string {
  const v = kv.value;
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function KvTable(props: { items: KeyValue[] | null | undefined; label: string }) {
  const items = props.items ?? [];
  if (!items.length) return <div className="muted">No {props.label.toLowerCase()}</div>;
  return (
    <table className="kv" aria-label={props.label}>
      <tbody>
        {[...items]
          .sort((a, b) => a.key.localeCompare(b.key))
          .map((kv, i) => (
            <tr key={`${kv.key}-${i}`}>
              <th scope="row">{kv.key}</th>
              <td>
                <span className={`kv-value type-${String(kv.type ?? 'string')}`}>{valueText(kv)}</span>
                {kv.type && kv.type !== 'string' && <span className="kv-type">{String(kv.type)}</span>}
              </td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}

const STATUS_KEYS = new Set(['otel.status_code', 'otel.status_description', 'error', 'span.kind']);

export function SpanDetails(props: {
  node: SpanNode;
  model: TraceModel;
  onSelect: (id: string) => void;
  onClose: () => void;
  critical: boolean;
}) {
  const { node, model } = props;
  const s = node.span;
  const statusCode = String(tagValue(s.tags, 'otel.status_code') ?? (node.isError ? 'ERROR' : 'UNSET'));
  const statusDesc = tagValue(s.tags, 'otel.status_description');
  const attrs = (s.tags ?? []).filter((t) => !STATUS_KEYS.has(t.key));
  const warnings = s.warnings ?? [];
  return (
    <aside className="details panel" aria-label="Span details">
      <div className="details-head">
        <span className="swatch big" style={{ background: serviceColor(node.service) }} />
        <div className="details-title">
          <div className="details-op">{node.operation}</div>
          <div className="details-svc">{node.service}</div>
        </div>
        <button type="button" className="icon-button" onClick={props.onClose} aria-label="Close details" title="Close (Esc)">
          ✕
        </button>
      </div>
      <dl className="facts">
        <dt>Duration</dt>
        <dd>{formatDuration(node.duration)}</dd>
        <dt>Start</dt>
        <dd>
          +{formatDuration(node.start)} <span className="muted">({formatTimestamp(s.startTime)})</span>
        </dd>
        <dt>Span ID</dt>
        <dd className="mono">{s.spanID}</dd>
        {node.kind && (
          <>
            <dt>Kind</dt>
            <dd>{node.kind}</dd>
          </>
        )}
        <dt>Status</dt>
        <dd className={node.isError ? 'status-error' : ''}>
          {statusCode}
          {statusDesc !== undefined && `: ${String(statusDesc)}`}
        </dd>
        <dt>Children</dt>
        <dd>
          {node.children.length} direct, {node.subtreeSize - 1} total
        </dd>
        {props.critical && (
          <>
            <dt>Critical path</dt>
            <dd>on the critical path</dd>
          </>
        )}
      </dl>
      {warnings.length > 0 && (
        <section>
          <h3>Warnings</h3>
          <ul className="warnings">
            {warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </section>
      )}
      <section>
        <h3>Attributes ({attrs.length})</h3>
        <KvTable items={attrs} label="Attributes" />
      </section>
      <section>
        <h3>Resource</h3>
        <KvTable items={[{ key: 'service.name', type: 'string', value: node.service }, ...(node.process.tags ?? [])]} label="Resource" />
      </section>
      <section>
        <h3>Events ({(s.logs ?? []).length})</h3>
        {(s.logs ?? []).length === 0 && <div className="muted">No events</div>}
        {(s.logs ?? []).map((log, i) => (
          <div className="event" key={i}>
            <div className="event-time">
              +{formatDuration(log.timestamp - model.startTime)} in trace · +{formatDuration(log.timestamp - s.startTime)} in span
            </div>
            <KvTable items={log.fields} label="Event fields" />
          </div>
        ))}
      </section>
      <section>
        <h3>Links ({(s.references ?? []).length})</h3>
        {(s.references ?? []).length === 0 && <div className="muted">No references</div>}
        <ul className="links">
          {(s.references ?? []).map((r, i) => {
            const local = (!r.traceID || r.traceID === model.traceID) && model.byId.has(r.spanID);
            return (
              <li key={i}>
                <span className="ref-type">{r.refType}</span>{' '}
                {local ? (
                  <button type="button" className="linklike" onClick={() => props.onSelect(r.spanID)}>
                    {model.byId.get(r.spanID)!.service}: {model.byId.get(r.spanID)!.operation}
                  </button>
                ) : (
                  <Link to={tracePath(r.traceID || model.traceID, r.spanID)}>
                    trace {r.traceID.slice(0, 16)} span {r.spanID}
                  </Link>
                )}
              </li>
            );
          })}
        </ul>
      </section>
    </aside>
  );
}
