// The shell: top bar (pages, trace-ID lookup, theme) and the route switch.
import { useState, type FormEvent } from 'react';
import { Link } from './components/Link';
import { useTheme } from './hooks';
import { ComparePage } from './pages/ComparePage';
import { DependenciesPage } from './pages/DependenciesPage';
import { SearchPage } from './pages/SearchPage';
import { TracePage } from './pages/TracePage';
import { navigate, tracePath, useLocation } from './router';

function Route() {
  const loc = useLocation();
  const path = loc.path.replace(/\/+$/, '') || '/';
  if (path.startsWith('/trace/')) {
    const id = decodeURIComponent(path.slice('/trace/'.length));
    // Jaeger's compare link: /trace/{a}...{b}
    const dots = id.indexOf('...');
    if (dots > 0) return <ComparePage a={id.slice(0, dots)} b={id.slice(dots + 3)} />;
    return <TracePage key={id} traceId={id} loc={loc} />;
  }
  if (path === '/compare') return <ComparePage a={loc.params.get('a') ?? ''} b={loc.params.get('b') ?? ''} />;
  if (path === '/dependencies') return <DependenciesPage loc={loc} />;
  return <SearchPage loc={loc} />;
}

function TraceLookup() {
  const [id, setId] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const t = id.trim();
    if (t) navigate(tracePath(t));
    setId('');
  };
  return (
    <form className="lookup" onSubmit={submit} role="search">
      <input aria-label="Trace ID" placeholder="Go to trace ID…" value={id} onChange={(e) => setId(e.target.value)} />
    </form>
  );
}

export function App() {
  const [theme, toggleTheme] = useTheme();
  const loc = useLocation();
  const active = (p: string) => (loc.path.startsWith(p) || (p === '/search' && loc.path === '/') ? 'active' : '');
  return (
    <div className="app">
      <header className="topbar">
        <Link to="/search" className="brand">
          <svg viewBox="0 0 32 32" width="20" height="20" aria-hidden="true">
            <path d="M4 26 L12 6 L20 20 L28 10" stroke="currentColor" strokeWidth="3.5" fill="none" strokeLinecap="round" strokeLinejoin="round" />
          </svg>
          Ariadne
        </Link>
        <nav>
          <Link to="/search" className={active('/search')}>
            Search
          </Link>
          <Link to="/compare" className={active('/compare')}>
            Compare
          </Link>
          <Link to="/dependencies" className={active('/dependencies')}>
            Service map
          </Link>
        </nav>
        <div className="spacer" />
        <TraceLookup />
        <button type="button" className="icon-button" onClick={toggleTheme} title="Toggle light/dark theme" aria-label="Toggle theme">
          {theme === 'dark' ? '☀' : '☾'}
        </button>
      </header>
      <main className="content">
        <Route />
      </main>
    </div>
  );
}
