// The span timeline: a collapsible tree of spans (left) against their bars on a zoomable time
// axis (right), with a ruler. Rows are virtualized: only the rows in view (plus a margin) are in
// the DOM, so a 50,000-span trace scrolls like a 50-span one. Error spans are marked, critical
// path segments are drawn over the bars, find matches are highlighted.
import { forwardRef, memo, useImperativeHandle, useLayoutEffect, useRef, useState, type WheelEvent } from 'react';
import type { PathSegment } from '../lib/criticalPath';
import { serviceColor } from '../lib/colors';
import { formatDuration, niceTicks } from '../lib/duration';
import type { SpanNode, TraceModel } from '../lib/traceModel';

export const ROW_HEIGHT = 26;
const OVERSCAN = 12;

export interface TimelineHandle {
  scrollToRow: (index: number) => void;
  scrollToFraction: (f: number) => void;
}

interface Props {
  model: TraceModel;
  rows: SpanNode[];
  collapsed: ReadonlySet<string>;
  selectedId: string | null;
  matches: ReadonlySet<string>;
  critical: Map<string, PathSegment[]> | null;
  view: [number, number];
  onView: (v: [number, number]) => void;
  onSelect: (id: string) => void;
  onToggle: (id: string) => void;
  onScrollRows: (first: number, count: number) => void;
}

export const Timeline = memo(
  forwardRef<TimelineHandle, Props>(function Timeline(props, ref) {
  const { model, rows, view } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const [rulerDrag, setRulerDrag] = useState<{ rect: DOMRect; from: number; to: number } | null>(null);

  useImperativeHandle(ref, () => ({
    scrollToRow(index: number) {
      const el = scroller.current;
      if (!el) return;
      const top = index * ROW_HEIGHT;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
    },
    scrollToFraction(f: number) {
      const el = scroller.current;
      if (el) el.scrollTop = Math.max(0, f * rows.length * ROW_HEIGHT - el.clientHeight / 2);
    },
  }));

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const update = () => setHeight(el.clientHeight);
    update();
    const ro = new ResizeObserver(update);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const inView = Math.floor(scrollTop / ROW_HEIGHT);
  const onScrollRows = props.onScrollRows;
  useLayoutEffect(() => {
    onScrollRows(inView, Math.ceil(height / ROW_HEIGHT));
  }, [inView, height, onScrollRows]);

  const dur = Math.max(1, model.duration);
  const t0 = view[0] * dur;
  const span = Math.max(1e-9, (view[1] - view[0]) * dur);
  const pct = (t: number) => ((t - t0) / span) * 100;
  const ticks = niceTicks(span, 6).filter((t) => t <= span * 1.0001);

  const onWheel = (e: WheelEvent) => {
    const w = view[1] - view[0];
    if (e.ctrlKey || e.metaKey) {
      e.preventDefault();
      const rect = (e.currentTarget as HTMLElement).getBoundingClientRect();
      const nameW = rect.width * 0.34;
      const fx = Math.min(1, Math.max(0, (e.clientX - rect.left - nameW) / (rect.width - nameW)));
      const focus = view[0] + fx * w;
      const nw = Math.min(1, Math.max(0.0005, w * (e.deltaY > 0 ? 1.25 : 0.8)));
      const start = Math.min(1 - nw, Math.max(0, focus - fx * nw));
      props.onView([start, start + nw]);
    } else if ((e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) && w < 1) {
      const d = ((e.shiftKey ? e.deltaY : e.deltaX) / 1000) * w;
      const start = Math.min(1 - w, Math.max(0, view[0] + d));
      props.onView([start, start + w]);
    }
  };

  const items = [];
  for (let i = first; i < last; i++) {
    const n = rows[i];
    const color = serviceColor(n.service);
    const selected = n.id === props.selectedId;
    const matched = props.matches.has(n.id);
    const segs = props.critical?.get(n.id);
    const left = pct(n.start);
    const width = Math.max(0.15, (n.duration / span) * 100);
    const labelRight = left + width > 70;
    const indent = Math.min(n.depth, 40) * 14;
    const isCollapsed = props.collapsed.has(n.id);
    items.push(
      <div
        key={n.id}
        className={`tl-row${selected ? ' selected' : ''}${matched ? ' matched' : ''}${n.isError ? ' error' : ''}${segs ? ' on-critical' : ''}`}
        style={{ top: i * ROW_HEIGHT }}
        onClick={() => props.onSelect(n.id)}
        role="row"
        aria-selected={selected}
        data-span-id={n.id}
      >
        <div className="tl-name" style={{ paddingLeft: 6 + indent }} role="gridcell">
          {n.children.length > 0 ? (
            <button
              type="button"
              className="toggle"
              aria-label={isCollapsed ? 'Expand' : 'Collapse'}
              aria-expanded={!isCollapsed}
              onClick={(e) => {
                e.stopPropagation();
                props.onToggle(n.id);
              }}
            >
              {isCollapsed ? '▸' : '▾'}
            </button>
          ) : (
            <span className="toggle-spacer" />
          )}
          <span className="svc-mark" style={{ background: color }} />
          {n.isError && (
            <span className="err-icon" title="Error" aria-label="Error">
              !
            </span>
          )}
          <span className="tl-svc">{n.service}</span>
          <span className="tl-op">{n.operation}</span>
          {isCollapsed && <span className="hidden-count">+{n.subtreeSize - 1}</span>}
        </div>
        <div className="tl-bars" role="gridcell">
          <div className="bar" style={{ left: `${left}%`, width: `${width}%`, background: color }}>
            {segs?.map((s, k) => (
              <span
                key={k}
                className="crit"
                style={{
                  left: `${((s.start - n.start) / Math.max(1e-9, n.duration)) * 100}%`,
                  width: `${Math.max(0.5, ((s.end - s.start) / Math.max(1e-9, n.duration)) * 100)}%`,
                }}
              />
            ))}
          </div>
          <span
            className="bar-label"
            style={labelRight ? { right: `${Math.max(0, 100 - left) + 0.5}%` } : { left: `${left + width + 0.5}%` }}
          >
            {formatDuration(n.duration)}
          </span>
        </div>
      </div>,
    );
  }

  return (
    <div className="timeline" onWheel={onWheel}>
      <div className="tl-header">
        <div className="tl-name-head">
          Service &amp; operation <span className="muted">({rows.length} rows)</span>
        </div>
        <div
          className="tl-ruler"
          aria-hidden="true"
          title="Drag to zoom to a time range"
          onPointerDown={(e) => {
            (e.target as Element).setPointerCapture?.(e.pointerId);
            const rect = e.currentTarget.getBoundingClientRect();
            const fx = (e.clientX - rect.left) / rect.width;
            setRulerDrag({ rect, from: fx, to: fx });
          }}
          onPointerMove={(e) => {
            if (rulerDrag) setRulerDrag({ ...rulerDrag, to: Math.min(1, Math.max(0, (e.clientX - rulerDrag.rect.left) / rulerDrag.rect.width)) });
          }}
          onPointerUp={() => {
            if (!rulerDrag) return;
            const a = Math.min(rulerDrag.from, rulerDrag.to);
            const b = Math.max(rulerDrag.from, rulerDrag.to);
            setRulerDrag(null);
            if (b - a < 0.01) return;
            const w = view[1] - view[0];
            props.onView([view[0] + a * w, view[0] + b * w]);
          }}
        >
          {rulerDrag && (
            <span
              className="ruler-drag"
              style={{ left: `${Math.min(rulerDrag.from, rulerDrag.to) * 100}%`, width: `${Math.abs(rulerDrag.to - rulerDrag.from) * 100}%` }}
            />
          )}
          {ticks.map((t) => (
            <span key={t} className="tick" style={{ left: `${(t / span) * 100}%` }}>
              {t / span < 0.94 && <span className="tick-label">{formatDuration(t0 + t)}</span>}
            </span>
          ))}
        </div>
      </div>
      <div className="tl-body" ref={scroller} onScroll={(e) => setScrollTop((e.target as HTMLDivElement).scrollTop)} role="grid" aria-rowcount={rows.length}>
        <div className="tl-canvas" style={{ height: rows.length * ROW_HEIGHT }}>
          <div className="tl-gridlines" aria-hidden="true">
            {ticks.map((t) => (
              <span key={t} style={{ left: `${(t / span) * 100}%` }} />
            ))}
          </div>
          {items}
        </div>
      </div>
    </div>
  );
}),
);
