// Data loading with cancellation: useAsync(run, deps) → {state, data, error, reload}.
import { useCallback, useEffect, useState } from 'react';

export type AsyncState<T> =
  | { status: 'idle'; data?: undefined; error?: undefined }
  | { status: 'loading'; data?: T; error?: undefined }
  | { status: 'done'; data: T; error?: undefined }
  | { status: 'error'; data?: undefined; error: string };

export function useAsync<T>(
  run: ((signal: AbortSignal) => Promise<T>) | null,
  deps: unknown[],
): AsyncState<T> & { reload: () => void } {
  const [state, setState] = useState<AsyncState<T>>({ status: run ? 'loading' : 'idle' });
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    if (!run) {
      setState({ status: 'idle' });
      return;
    }
    const ctrl = new AbortController();
    setState((s) => ({ status: 'loading', data: s.data }));
    run(ctrl.signal).then(
      (data) => !ctrl.signal.aborted && setState({ status: 'done', data }),
      (e: Error) => !ctrl.signal.aborted && setState({ status: 'error', error: e.message || String(e) }),
    );
    return () => ctrl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, nonce]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, reload };
}

// Theme: 'light' | 'dark', from localStorage or the system preference; sets <html data-theme>.
export function useTheme(): ['light' | 'dark', () => void] {
  const [theme, setTheme] = useState<'light' | 'dark'>(() => {
    const saved = localStorage.getItem('ariadne.theme');
    if (saved === 'light' || saved === 'dark') return saved;
    return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  });
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const toggle = useCallback(() => {
    setTheme((t) => {
      const next = t === 'dark' ? 'light' : 'dark';
      localStorage.setItem('ariadne.theme', next);
      return next;
    });
  }, []);
  return [theme, toggle];
}

export function download(filename: string, text: string): void {
  const blob = new Blob([text], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
