import { useEffect, useState } from 'preact/hooks';
import { Feedback } from './feedback';
import { callApi, toQuery } from '../api';
import { formatTime } from '../format';
import { linkTo } from '../route';

interface Delivery {
  id: string;
  system: string;
  workflowId: string;
  target: { type: string; id: string };
  state: 'queued' | 'running' | 'completed' | 'dead';
  attempts: number;
  nextAttemptAt: string;
  outcome?: 'success' | 'failed';
  message?: string;
  error?: { code: string; message: string };
  createdAt?: string;
}

interface Step {
  stepId: string;
  state: string;
  result: {
    type: string;
    outcome: string;
    message: string;
    runId?: string;
    error?: { code: string; message: string };
  };
}

const STATES = ['queued', 'running', 'completed', 'dead'] as const;

/** The automation queue: what waits, what ran, what died (and re-running a dead one). */
export function DeliveriesScreen(props: { selected: string | undefined }) {
  const [state, setState] = useState<string>('');
  const [deliveries, setDeliveries] = useState<Delivery[]>([]);
  const [counts, setCounts] = useState<Record<string, number>>({});
  const [detail, setDetail] = useState<{ delivery: Delivery; steps: Step[] }>();
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');

  const loadList = async () => {
    const answer = await callApi<{ deliveries: Delivery[]; counts: Record<string, number> }>(
      'GET',
      `/api/admin/deliveries${toQuery({ state, limit: 100 })}`,
    );
    if (!answer.ok) {
      setError(answer.error.message);
      return;
    }
    setDeliveries(answer.value.deliveries);
    setCounts(answer.value.counts);
  };
  useEffect(() => {
    void loadList();
  }, [state]);
  useEffect(() => {
    setDetail(undefined);
    if (!props.selected) return;
    void callApi<{ delivery: Delivery; steps: Step[] }>(
      'GET',
      `/api/admin/deliveries/${encodeURIComponent(props.selected)}`,
    ).then((answer) => (answer.ok ? setDetail(answer.value) : setError(answer.error.message)));
  }, [props.selected]);

  const rerun = async (id: string) => {
    const answer = await callApi('POST', `/api/admin/deliveries/${encodeURIComponent(id)}/rerun`);
    if (!answer.ok) {
      setError(answer.error.message);
      return;
    }
    setStatus(`Delivery ${id} is queued again.`);
    await loadList();
  };

  return (
    <section>
      <div class="heading">
        <h1>Deliveries</h1>
        <span class="muted">
          {STATES.map((name) => `${name}: ${counts[name] ?? 0}`).join(' · ')}
        </span>
      </div>
      <label class="inline">
        State{' '}
        <select value={state} onChange={(event) => setState(event.currentTarget.value)}>
          <option value="">Any</option>
          {STATES.map((name) => (
            <option value={name}>{name === 'dead' ? 'dead letters' : name}</option>
          ))}
        </select>
      </label>
      <Feedback error={error} status={status} />
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Delivery</th>
            <th scope="col">Workflow</th>
            <th scope="col">Target</th>
            <th scope="col">State</th>
            <th scope="col">Attempts</th>
            <th scope="col">Message</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((delivery) => (
            <tr key={delivery.id}>
              <td>
                <a href={linkTo(['deliveries', delivery.id])}>{delivery.id}</a>
                <div class="muted">{formatTime(delivery.createdAt ?? delivery.nextAttemptAt)}</div>
              </td>
              <td>{delivery.workflowId}</td>
              <td>
                {delivery.system} {delivery.target.type} {delivery.target.id}
              </td>
              <td>
                <span class={`tag tag-${delivery.state}`}>{delivery.state}</span>
              </td>
              <td>{delivery.attempts}</td>
              <td class="message">{delivery.error?.message ?? delivery.message ?? ''}</td>
              <td>
                {delivery.state === 'dead' && (
                  <button
                    type="button"
                    class="button button-basic"
                    onClick={() => void rerun(delivery.id)}
                  >
                    Re-run
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {deliveries.length === 0 && <p class="muted">No deliveries.</p>}
      {detail && (
        <div class="detail">
          <h2>Steps of {detail.delivery.id}</h2>
          <ol class="steps">
            {detail.steps.map((step) => (
              <li>
                <strong>{step.stepId}</strong> ({step.result.type}):{' '}
                <span class={`outcome outcome-${step.result.outcome}`}>{step.result.outcome}</span>{' '}
                — {step.result.message}
                {step.result.runId && (
                  <>
                    {' '}
                    <a href={linkTo(['runs', step.result.runId])}>run</a>
                  </>
                )}
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
