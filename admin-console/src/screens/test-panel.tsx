export function TestPanel(props: { connectorId: string }) {
  return <p class="muted">Testing {props.connectorId}…</p>;
}
