// One trace: header, toolbar (find, critical path, zoom, downloads, compare), minimap,
// virtualized timeline and the selected span's details. The selected span lives in the URL
// (/trace/{id}?uiFind={spanID}, Jaeger's shape) so links point at a span.
import { startTransition, useCallback, useDeferredValue, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { fetchTrace, fetchTraceDownload } from '../api/client';
import { Minimap } from '../components/Minimap';
import { ServiceBadge } from '../components/ServiceBadge';
import { SpanDetails } from '../components/SpanDetails';
import { Empty, ErrorBox, Loading } from '../components/States';
import { Timeline, type TimelineHandle } from '../components/Timeline';
import { download, useAsync } from '../hooks';
import { criticalBySpan, criticalPath } from '../lib/criticalPath';
import { formatDuration, formatTimestamp } from '../lib/duration';
import { findSpans } from '../lib/find';
import { ancestors, buildTraceModel, visibleSpans, type TraceModel } from '../lib/traceModel';
import { navigate, tracePath, type Loc } from '../router';

declare global {
  interface Window {
    __ariadneTraceReady?: number;
    __ariadnePerf?: Record<string, number>;
  }
}

function isTyping(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  return !!t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
}

function TraceView({ model, loc }: { model: TraceModel; loc: Loc }) {
  const initialFind = loc.params.get('uiFind') ?? '';
  const [selectedId, setSelectedId] = useState<string | null>(() => (model.byId.has(initialFind) ? initialFind : null));
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());
  const [view, setView] = useState<[number, number]>([0, 1]);
  const [showCritical, setShowCritical] = useState(true);
  const [findText, setFindText] = useState(() => (model.byId.has(initialFind) ? '' : initialFind));
  const [matchIdx, setMatchIdx] = useState(0);
  const [rowWindow, setRowWindow] = useState<[number, number]>([0, 30]);
  const [compareWith, setCompareWith] = useState('');
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const timeline = useRef<TimelineHandle>(null);
  const findInput = useRef<HTMLInputElement>(null);

  const rows = useMemo(() => visibleSpans(model, collapsed), [model, collapsed]);
  // Row of a span: its depth-first index when nothing is collapsed, else a lookup table.
  const rowIndex = useMemo(() => {
    if (rows === model.spans) return { get: (id: string) => model.byId.get(id)?.index };
    const m = new Map<string, number>();
    rows.forEach((r, i) => m.set(r.id, i));
    return m;
  }, [rows, model]);
  // The critical path and the minimap wait for the first frame: the rows come first.
  const [painted, setPainted] = useState(false);
  const segments = useMemo(() => (painted ? criticalPath(model) : []), [painted, model]);
  const critical = useMemo(() => criticalBySpan(segments), [segments]);
  const deferredFind = useDeferredValue(findText);
  const matchList = useMemo(() => findSpans(model, deferredFind), [model, deferredFind]);
  const matches = useMemo(() => new Set(matchList), [matchList]);

  // Keep the selected span (else the find query) in the URL as uiFind; replace, since
  // selecting is not a history step.
  useEffect(() => {
    navigate(tracePath(model.traceID, selectedId ?? (deferredFind.trim() || undefined)) + window.location.hash, true);
  }, [selectedId, deferredFind, model.traceID]);

  const reveal = useCallback(
    (id: string) => {
      const node = model.byId.get(id);
      if (!node) return;
      const hidden = ancestors(node).filter((a) => collapsed.has(a.id));
      if (hidden.length) {
        setCollapsed((c) => {
          const next = new Set(c);
          hidden.forEach((h) => next.delete(h.id));
          return next;
        });
      }
      setSelectedId(id);
    },
    [model, collapsed],
  );

  // Scroll the selected row into view once it is laid out.
  useEffect(() => {
    if (selectedId === null) return;
    const i = rowIndex.get(selectedId);
    if (i !== undefined) timeline.current?.scrollToRow(i);
  }, [selectedId, rowIndex]);

  useEffect(() => {
    let later = 0;
    const id = requestAnimationFrame(() => {
      window.__ariadneTraceReady = performance.now();
      document.documentElement.dataset.traceReady = model.traceID;
      // After this frame is painted: the critical path and the minimap.
      later = window.setTimeout(() => startTransition(() => setPainted(true)), 0);
    });
    return () => {
      cancelAnimationFrame(id);
      clearTimeout(later);
    };
  }, [model]);

  const toggle = useCallback((id: string) => {
    setCollapsed((c) => {
      const next = new Set(c);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  const gotoMatch = useCallback(
    (delta: number) => {
      if (!matchList.length) return;
      const i = (((matchIdx + delta) % matchList.length) + matchList.length) % matchList.length;
      setMatchIdx(i);
      reveal(matchList[i]);
    },
    [matchList, matchIdx, reveal],
  );

  const zoom = useCallback((factor: number) => {
    setView(([a, b]) => {
      const c = (a + b) / 2;
      const w = Math.min(1, Math.max(0.0005, (b - a) * factor));
      const start = Math.min(1 - w, Math.max(0, c - w / 2));
      return [start, start + w];
    });
  }, []);

  // Keyboard navigation (see docs/ui.md).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && isTyping(e)) {
        (e.target as HTMLElement).blur();
        return;
      }
      if (isTyping(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      // Enter and Space keep their usual meaning on focused buttons and links.
      const tag = (e.target as HTMLElement | null)?.tagName;
      if ((e.key === 'Enter' || e.key === ' ') && (tag === 'BUTTON' || tag === 'A')) return;
      const cur = selectedId !== null ? rowIndex.get(selectedId) : undefined;
      const node = selectedId !== null ? model.byId.get(selectedId) : undefined;
      const select = (i: number) => rows.length && setSelectedId(rows[Math.max(0, Math.min(rows.length - 1, i))].id);
      if (e.shiftKey && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) {
        const dir = e.key === 'ArrowLeft' ? -1 : 1;
        setView(([a, b]) => {
          const w = b - a;
          const start = Math.min(1 - w, Math.max(0, a + dir * 0.2 * w));
          return [start, start + w];
        });
        e.preventDefault();
        return;
      }
      let handled = true;
      switch (e.key) {
        case 'ArrowDown':
        case 'j':
          select(cur === undefined ? 0 : cur + 1);
          break;
        case 'ArrowUp':
        case 'k':
          select(cur === undefined ? 0 : cur - 1);
          break;
        case 'Home':
          select(0);
          break;
        case 'End':
          select(rows.length - 1);
          break;
        case 'ArrowRight':
        case 'l':
          if (node && collapsed.has(node.id)) toggle(node.id);
          else if (node && node.children.length) setSelectedId(node.children[0].id);
          break;
        case 'ArrowLeft':
        case 'h':
          if (node && node.children.length && !collapsed.has(node.id)) toggle(node.id);
          else if (node?.parent) setSelectedId(node.parent.id);
          break;
        case 'Enter':
        case ' ':
          if (node && node.children.length) toggle(node.id);
          break;
        case '/':
          findInput.current?.focus();
          break;
        case 'n':
          gotoMatch(1);
          break;
        case 'N':
          gotoMatch(-1);
          break;
        case 'c':
          setShowCritical((v) => !v);
          break;
        case '+':
        case '=':
          zoom(0.5);
          break;
        case '-':
          zoom(2);
          break;
        case '0':
          setView([0, 1]);
          break;
        case 'Escape':
          setSelectedId(null);
          break;
        default:
          handled = false;
      }
      if (handled) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [rows, rowIndex, selectedId, model, collapsed, toggle, gotoMatch, zoom]);

  // Low priority: the minimap's window may lag a frame behind fast scrolling.
  const onScrollRows = useCallback((first: number, count: number) => startTransition(() => setRowWindow([first, count])), []);
  const selected = selectedId !== null ? model.byId.get(selectedId) : undefined;

  const doDownload = async (format: 'jaeger' | 'otlp') => {
    setDownloadError(null);
    try {
      const text = await fetchTraceDownload(model.traceID, format);
      download(`trace-${model.traceID}${format === 'otlp' ? '.otlp' : '.jaeger'}.json`, text);
    } catch (e) {
      setDownloadError(`Download failed: ${(e as Error).message}`);
    }
  };
  const onCompare = (e: FormEvent) => {
    e.preventDefault();
    if (compareWith.trim()) navigate(`/compare?a=${encodeURIComponent(model.traceID)}&b=${encodeURIComponent(compareWith.trim())}`);
  };
  const collapseAll = () => setCollapsed(new Set(model.spans.filter((n) => n.children.length && n.depth >= 1).map((n) => n.id)));

  return (
    <div className={`trace-page${selected ? ' with-details' : ''}`}>
      <header className="trace-header panel">
        <div className="trace-title">
          <h1>
            <span className="svc">{model.rootService}</span>: <span className="op">{model.rootOperation}</span>
          </h1>
          <span className="trace-id mono" title="Trace ID">
            {model.traceID}
          </span>
        </div>
        <dl className="trace-stats">
          <div>
            <dt>Start</dt>
            <dd>{formatTimestamp(model.startTime)}</dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd>{formatDuration(model.duration)}</dd>
          </div>
          <div>
            <dt>Services</dt>
            <dd>{model.services.length}</dd>
          </div>
          <div>
            <dt>Depth</dt>
            <dd>{model.depth}</dd>
          </div>
          <div>
            <dt>Spans</dt>
            <dd>{model.spans.length}</dd>
          </div>
          <div>
            <dt>Errors</dt>
            <dd className={model.errorCount ? 'status-error' : ''}>{model.errorCount}</dd>
          </div>
        </dl>
        <div className="trace-services">
          {model.services.map((s) => (
            <ServiceBadge key={s.name} name={s.name} count={s.spans} errors={s.errors} />
          ))}
        </div>
        {model.warnings.length > 0 && (
          <ul className="warnings">
            {model.warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        )}
      </header>
      <div className="trace-toolbar">
        <div className="find">
          <input
            ref={findInput}
            aria-label="Find in trace"
            placeholder="Find in trace… ( / )"
            value={findText}
            onChange={(e) => {
              setFindText(e.target.value);
              setMatchIdx(0);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') gotoMatch(e.shiftKey ? -1 : matches.has(selectedId ?? '') ? 1 : 0);
            }}
          />
          <span className="find-count" aria-live="polite">
            {findText ? `${matchList.length ? matchIdx + 1 : 0}/${matchList.length}` : ''}
          </span>
          <button type="button" onClick={() => gotoMatch(-1)} disabled={!matchList.length} aria-label="Previous match">
            ↑
          </button>
          <button type="button" onClick={() => gotoMatch(1)} disabled={!matchList.length} aria-label="Next match">
            ↓
          </button>
        </div>
        <label className="inline toggle-critical">
          <input type="checkbox" checked={showCritical} onChange={(e) => setShowCritical(e.target.checked)} /> Critical path
        </label>
        <div className="btn-group" role="group" aria-label="Zoom">
          <button type="button" onClick={() => zoom(0.5)} title="Zoom in (+)">
            +
          </button>
          <button type="button" onClick={() => zoom(2)} title="Zoom out (-)">
            −
          </button>
          <button type="button" onClick={() => setView([0, 1])} title="Reset zoom (0)" disabled={view[0] === 0 && view[1] === 1}>
            Reset
          </button>
        </div>
        <div className="btn-group" role="group" aria-label="Tree">
          <button type="button" onClick={collapseAll}>
            Collapse
          </button>
          <button type="button" onClick={() => setCollapsed(new Set())}>
            Expand
          </button>
        </div>
        <span className="spacer" />
        <form onSubmit={onCompare} className="compare-form">
          <input aria-label="Compare with trace ID" placeholder="Compare with trace ID" value={compareWith} onChange={(e) => setCompareWith(e.target.value)} />
          <button type="submit" disabled={!compareWith.trim()}>
            Compare
          </button>
        </form>
        <div className="btn-group" role="group" aria-label="Download">
          <button type="button" onClick={() => doDownload('jaeger')} title="Download as Jaeger JSON">
            ⤓ Jaeger
          </button>
          <button type="button" onClick={() => doDownload('otlp')} title="Download as OTLP JSON">
            ⤓ OTLP
          </button>
        </div>
      </div>
      {downloadError && <ErrorBox error={downloadError} />}
      <Minimap
        model={model}
        draw={painted}
        rows={rows}
        view={view}
        firstRow={rowWindow[0]}
        rowCount={rowWindow[1]}
        onView={setView}
        onJumpRow={(f) => timeline.current?.scrollToFraction(f)}
      />
      <div className="trace-main">
        <Timeline
          ref={timeline}
          model={model}
          rows={rows}
          collapsed={collapsed}
          selectedId={selectedId}
          matches={matches}
          critical={showCritical ? critical : null}
          view={view}
          onView={setView}
          onSelect={setSelectedId}
          onToggle={toggle}
          onScrollRows={onScrollRows}
        />
        {selected && (
          <SpanDetails
            node={selected}
            model={model}
            onSelect={reveal}
            onClose={() => setSelectedId(null)}
            critical={critical.has(selected.id)}
          />
        )}
      </div>
    </div>
  );
}

export function TracePage({ traceId, loc }: { traceId: string; loc: Loc }) {
  const result = useAsync(
    async (signal) => {
      const t0 = performance.now();
      const trace = await fetchTrace(traceId, signal);
      const t1 = performance.now();
      const model = buildTraceModel(trace);
      window.__ariadnePerf = { start: t0, fetchMs: t1 - t0, modelMs: performance.now() - t1, modelDone: performance.now() };
      return model;
    },
    [traceId],
  );
  if (result.status === 'error') {
    return (
      <div className="page-pad">
        <ErrorBox error={result.error} onRetry={result.reload} />
      </div>
    );
  }
  if (result.status !== 'done') return <Loading what={`trace ${traceId}`} />;
  if (!result.data.spans.length) return <Empty title="This trace has no spans" />;
  return <TraceView model={result.data} loc={loc} />;
}
