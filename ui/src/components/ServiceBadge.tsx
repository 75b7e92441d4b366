import { serviceColor } from '../lib/colors';

export function ServiceBadge(props: { name: string; count?: number; errors?: number }) {
  return (
    <span className={`badge service-badge${props.errors ? ' has-error' : ''}`} title={props.name}>
      <span className="swatch" style={{ background: serviceColor(props.name) }} />
      <span className="badge-text">{props.name}</span>
      {props.count !== undefined && <span className="badge-count">{props.count}</span>}
    </span>
  );
}
