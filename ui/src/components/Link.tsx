import type { MouseEvent, ReactNode } from 'react';
import { navigate } from '../router';

// An in-app link: a real href (so middle-click and copy work) with client-side navigation.
// `to` is always built by the app from encoded parts, never taken verbatim from span data.
export function Link(props: { to: string; children: ReactNode; className?: string; title?: string }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.to);
  };
  return (
    <a href={props.to} onClick={onClick} className={props.className} title={props.title}>
      {props.children}
    </a>
  );
}
