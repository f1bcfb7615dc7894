export function AlertsScreen() {
  return <p class="muted">Alerts…</p>;
}
