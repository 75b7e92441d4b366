import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { prefetchTrace } from './api/client';
import './styles.css';

// Opening /trace/{id} directly: ask for the trace now rather than after the first render.
const tracePage = /^\/trace\/([^/]+)\/?$/.exec(window.location.pathname);
if (tracePage) {
  try {
    const id = decodeURIComponent(tracePage[1]);
    if (!id.includes('...')) prefetchTrace(id);
  } catch {
    // A malformed escape: the trace page reports it.
  }
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
