import { useEffect, useState } from 'preact/hooks';
import type { ConsoleTestReport } from '../../../shared/src/console/console-contracts';
import { callApi } from '../api';
import { formatValue } from '../format';
import { linkTo } from '../route';

type TestReport = ConsoleTestReport;

type Mode = 'preview' | 'response' | 'send';

/**
 * Tests a connector against a real ticket or record: preview the request (nothing sent), paste
 * an answer, or send it (confirmed when it changes data). Nothing is ever written back.
 */
export function TestPanel(props: { connectorId: string }) {
  const [system, setSystem] = useState('zendesk');
  const [helpdesks, setHelpdesks] = useState<string[]>(['zendesk']);
  const [targetId, setTargetId] = useState('1');
  const [targetType, setTargetType] = useState('Case');
  const [typed, setTyped] = useState('');
  const [status, setStatus] = useState('200');
  const [body, setBody] = useState('');
  const [report, setReport] = useState<TestReport>();
  const [error, setError] = useState('');
  const [confirming, setConfirming] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void callApi<{ helpdesks: string[] }>('GET', '/api/admin/console/settings').then((answer) => {
      if (answer.ok && answer.value.helpdesks.length) {
        setHelpdesks(answer.value.helpdesks);
        setSystem(answer.value.helpdesks[0] ?? 'zendesk');
      }
    });
  }, []);

  /** "name=value" lines, as the agent would type prompt inputs. */
  const inputs = () =>
    Object.fromEntries(
      typed
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line.includes('='))
        .map((line) => [
          line.slice(0, line.indexOf('=')).trim(),
          line.slice(line.indexOf('=') + 1).trim(),
        ]),
    );

  const runTest = async (mode: Mode, confirmed = false) => {
    setBusy(true);
    setError('');
    setConfirming('');
    const answer = await callApi<TestReport>(
      'POST',
      `/api/admin/console/connectors/${encodeURIComponent(props.connectorId)}/test`,
      {
        system,
        targetId,
        ...(system === 'salesforce' ? { targetType } : {}),
        inputs: inputs(),
        mode,
        ...(mode === 'response' ? { response: { status: Number(status) || 200, body } } : {}),
        confirmed,
      },
    );
    setBusy(false);
    if (!answer.ok) {
      if (answer.error.code === 'CONFIRMATION_REQUIRED') setConfirming(answer.error.message);
      else setError(answer.error.message);
      return;
    }
    setReport(answer.value);
  };

  return (
    <div class="panel">
      <form
        class="test-form"
        aria-label="Test"
        onSubmit={(event) => {
          event.preventDefault();
          void runTest('preview');
        }}
      >
        <label>
          Helpdesk
          <select value={system} onChange={(event) => setSystem(event.currentTarget.value)}>
            {helpdesks.map((name) => (
              <option value={name}>{name}</option>
            ))}
          </select>
        </label>
        <label>
          {system === 'salesforce' ? 'Record id' : 'Ticket id'}
          <input
            id="test-target"
            value={targetId}
            onInput={(event) => setTargetId(event.currentTarget.value)}
            required
          />
        </label>
        {system === 'salesforce' && (
          <label>
            Object
            <input
              value={targetType}
              onInput={(event) => setTargetType(event.currentTarget.value)}
            />
          </label>
        )}
        <label class="wide">
          Typed inputs{' '}
          <span class="muted">(one name=value per line, as an agent would type them)</span>
          <textarea
            id="test-inputs"
            value={typed}
            onInput={(event) => setTyped(event.currentTarget.value)}
          />
        </label>
        <div class="actions wide">
          <button type="submit" class="button button-primary" disabled={busy}>
            Preview request
          </button>
          <button
            type="button"
            class="button button-basic"
            disabled={busy}
            onClick={() => void runTest('send')}
          >
            Send
          </button>
        </div>
        <label>
          Pasted response status
          <input
            id="test-status"
            inputMode="numeric"
            value={status}
            onInput={(event) => setStatus(event.currentTarget.value)}
          />
        </label>
        <label class="wide">
          Pasted response body
          <textarea
            id="test-response"
            value={body}
            placeholder='{"orders": [ … ]}'
            onInput={(event) => setBody(event.currentTarget.value)}
          />
        </label>
        <div class="actions wide">
          <button
            type="button"
            class="button button-basic"
            disabled={busy || body.trim() === ''}
            onClick={() => void runTest('response')}
          >
            Test with this response
          </button>
        </div>
      </form>
      {confirming && (
        <div class="confirm" role="alertdialog" aria-label="Confirm sending">
          <p>{confirming}</p>
          <button
            type="button"
            class="button button-danger"
            onClick={() => void runTest('send', true)}
          >
            Send it
          </button>
          <button type="button" class="button button-basic" onClick={() => setConfirming('')}>
            Cancel
          </button>
        </div>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {report && <Report report={report} />}
    </div>
  );
}

function Report(props: { report: TestReport }) {
  const { report } = props;
  return (
    <div class="report" data-testid="test-report">
      <h2>Inputs</h2>
      <table class="table">
        <tbody>
          {report.inputs.map((input) => (
            <tr data-input={input.name}>
              <th scope="row">{input.label}</th>
              <td>
                {input.value === undefined ? (
                  <span class="muted">none</span>
                ) : (
                  formatValue(input.value)
                )}
              </td>
              <td class="muted">{input.from ?? ''}</td>
              <td class="error">{input.problem ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {report.blocked ? (
        <p class="error" role="alert">
          Not sent: {report.blocked}
        </p>
      ) : (
        report.request && (
          <>
            <h2>Request {report.sent ? '(sent)' : '(not sent)'}</h2>
            <pre class="code" data-testid="test-request">
              {`${report.request.method} ${report.request.url}\n`}
              {Object.entries(report.request.headers).map(([name, value]) => `${name}: ${value}\n`)}
              {report.request.body ? `\n${report.request.body}` : ''}
            </pre>
          </>
        )
      )}
      {report.answer && (
        <>
          <h2>Answer</h2>
          <p data-testid="test-outcome" data-outcome={report.answer.outcome}>
            HTTP {report.answer.status}: {report.answer.statusEffect}. The run would be{' '}
            <span class={`outcome outcome-${report.answer.outcome}`}>{report.answer.outcome}</span>
            {report.answer.emptyReason ? `: ${report.answer.emptyReason}` : ''}
            {report.answer.error ? `: ${report.answer.error.message}` : ''}
          </p>
          <table class="table" data-testid="test-paths">
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col">Path</th>
                <th scope="col">Found</th>
                <th scope="col">Meaning</th>
              </tr>
            </thead>
            <tbody>
              {report.answer.paths.map((path) => (
                <tr data-rule={path.rule}>
                  <td>{path.rule}</td>
                  <td>
                    <code>{path.expression}</code>
                  </td>
                  <td>
                    {path.found === undefined || path.found === null ? (
                      <span class="muted">nothing</span>
                    ) : (
                      formatValue(path.found)
                    )}
                  </td>
                  <td class={path.problem ? 'error' : 'muted'}>{path.problem ?? path.effect}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {report.answer.suggestedOutputs.some((output) => !output.used) && (
            <>
              <h3>Other outputs this answer offers</h3>
              <p class="muted">
                Add the ones to show or write back to <code>response.outputs</code> (Edit tab).
              </p>
              <table class="table" data-testid="test-suggestions">
                <tbody>
                  {report.answer.suggestedOutputs
                    .filter((output) => !output.used)
                    .map((output) => (
                      <tr data-suggestion={output.path}>
                        <td>
                          <code>
                            {JSON.stringify({
                              name: output.name,
                              label: output.label,
                              path: output.path,
                            })}
                          </code>
                        </td>
                        <td>{formatValue(output.example)}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </>
          )}
        </>
      )}
      {report.writeBack && (
        <>
          <h2>Write-back on {report.writeBack.outcome} (a test writes nothing)</h2>
          {report.writeBack.fields.length === 0 ? (
            <p class="muted">Nothing would be written.</p>
          ) : (
            <table class="table" data-testid="test-writes">
              <tbody>
                {report.writeBack.fields.map((field) => (
                  <tr data-field={field.field}>
                    <th scope="row">{field.label}</th>
                    <td class="muted">{field.field}</td>
                    <td>{formatValue(field.value)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {report.writeBack.note && <p class="muted">{report.writeBack.note}</p>}
          {report.writeBack.error && (
            <p class="error">Would fail: {report.writeBack.error.message}</p>
          )}
        </>
      )}
      {report.runId && (
        <p>
          Recorded as a test run: <a href={linkTo(['runs', report.runId])}>{report.runId}</a>
        </p>
      )}
    </div>
  );
}
