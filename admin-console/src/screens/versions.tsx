import { useEffect, useState } from 'preact/hooks';
import { Feedback } from './feedback';
import { callApi } from '../api';
import { formatTime } from '../format';
import { linkTo, navigate } from '../route';

interface VersionSummary {
  id: number;
  at: string;
  author: string;
  connectors: number;
}

/** Every accepted config, newest first; one with its diff, and a rollback to it. */
export function VersionsScreen(props: { selected: string | undefined }) {
  const [versions, setVersions] = useState<VersionSummary[]>([]);
  const [diff, setDiff] = useState<string>();
  const [confirming, setConfirming] = useState(false);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');

  const loadList = async () => {
    const answer = await callApi<{ versions: VersionSummary[] }>(
      'GET',
      '/api/admin/config/versions?limit=100',
    );
    if (answer.ok) setVersions(answer.value.versions);
    else setError(answer.error.message);
  };
  useEffect(() => {
    void loadList();
  }, []);
  useEffect(() => {
    setConfirming(false);
    setDiff(undefined);
    if (!props.selected) return;
    void callApi<{ diff: string }>(
      'GET',
      `/api/admin/config/versions/${encodeURIComponent(props.selected)}`,
    ).then((answer) => (answer.ok ? setDiff(answer.value.diff) : setError(answer.error.message)));
  }, [props.selected]);

  const rollback = async () => {
    const answer = await callApi<{ version: VersionSummary }>(
      'POST',
      `/api/admin/config/versions/${encodeURIComponent(props.selected ?? '')}/rollback`,
    );
    setConfirming(false);
    if (!answer.ok) {
      setError(answer.error.message);
      return;
    }
    setStatus(`Rolled back to version ${props.selected}: now version ${answer.value.version.id}.`);
    await loadList();
    navigate(['versions', String(answer.value.version.id)]);
  };

  return (
    <section>
      <div class="heading">
        <h1>Config versions</h1>
      </div>
      <Feedback error={error} status={status} />
      <div class="split">
        <table class="table">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">When</th>
              <th scope="col">Author</th>
              <th scope="col">Connectors</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((version) => (
              <tr key={version.id} aria-selected={String(version.id) === props.selected}>
                <td>
                  <a href={linkTo(['versions', String(version.id)])}>v{version.id}</a>
                </td>
                <td>{formatTime(version.at)}</td>
                <td>{version.author}</td>
                <td>{version.connectors}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {props.selected && (
          <div class="detail">
            <h2>Version {props.selected}</h2>
            {diff === undefined ? (
              <p class="loading">Loading…</p>
            ) : diff === '' ? (
              <p class="muted">No change from the version before.</p>
            ) : (
              <pre class="code diff">
                {diff.split('\n').map((line) => (
                  <span
                    class={line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : undefined}
                  >{`${line}\n`}</span>
                ))}
              </pre>
            )}
            {confirming ? (
              <div class="confirm" role="group" aria-label="Confirm rollback">
                <p>
                  Write version {props.selected}'s files back? The current config stays in the
                  history.
                </p>
                <button type="button" class="button button-danger" onClick={() => void rollback()}>
                  Roll back now
                </button>
                <button
                  type="button"
                  class="button button-basic"
                  onClick={() => setConfirming(false)}
                >
                  Cancel
                </button>
              </div>
            ) : (
              <button type="button" class="button button-basic" onClick={() => setConfirming(true)}>
                Roll back to this version
              </button>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
